export * from './legacy-id-block';
