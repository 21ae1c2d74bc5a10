export * from './legacy-id-block';
export * from './legacy-source';
export * from './captured-change-reconciliation';
export * from './business-calendar';
