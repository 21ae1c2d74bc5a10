export * from './audit-export';
export * from './integrity-check';
export * from './reconciliation';
export * from './schema-versions';
