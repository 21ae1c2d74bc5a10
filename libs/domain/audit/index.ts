export * from './audit-export';
export * from './integrity-check';
export * from './schema-versions';
