export * from './configuration';
export * from './dependency-check';
