export * from './password-hashing';
export * from './secret-tokens';
export * from './principal';
export * from './signature-block';
