/** @type {import('jest').Config} */
const shared = {
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // @fastify/static (served /docs) requires an ESM-only dependency; jest needs it as CommonJS.
    '/node_modules/content-disposition/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper: {
    '^@tracershop/event-store$': '<rootDir>/libs/event-store/src',
    '^@tracershop/event-store/(.*)$': '<rootDir>/libs/event-store/src/$1',
    '^@tracershop/domain/(.*)$': '<rootDir>/libs/domain/$1',
    '^@tracershop/config$': '<rootDir>/libs/config/src',
    '^@tracershop/command-pipeline$': '<rootDir>/libs/command-pipeline/src',
    '^@tracershop/platform$': '<rootDir>/libs/platform/src',
    '^@tracershop/auth$': '<rootDir>/libs/auth/src',
    '^@tracershop/realtime$': '<rootDir>/libs/realtime/src',
    '^@tracershop/projections/(.*)$': '<rootDir>/projections/$1',
  },
  testEnvironment: 'node',
};

module.exports = {
  testTimeout: 120_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/**/*.unit.spec.ts'] },
    { ...shared, displayName: 'int', testMatch: ['<rootDir>/**/*.int.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/**/*.e2e.spec.ts'] },
  ],
};
