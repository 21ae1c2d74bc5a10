export * from './command-definition';
export * from './command-context';
export * from './command-errors';
export * from './command-pipeline';
export * from './stream-loader';
export * from './name-based-uuid';
