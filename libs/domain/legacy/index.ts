export * from './legacy-id-block';
export * from './legacy-source';
