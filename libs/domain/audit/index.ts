export * from './audit-export';
