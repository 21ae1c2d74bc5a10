export * from './audit-export';
export * from './audit-trail-review';
export * from './field-history';
export * from './incident';
export * from './integrity-check';
export * from './record-mentions';
export * from './reconciliation';
export * from './schema-versions';
