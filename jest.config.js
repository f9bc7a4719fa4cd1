/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Transpile only: `npm run typecheck` (tsc) is the type gate, so tests start fast.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }] },
  setupFiles: ['<rootDir>/test/support/setupEnv.ts'],
  testTimeout: 60000,
  // Integration tests start HTTPS servers and Azurite; two workers match the 2-core machines we run on.
  maxWorkers: 2,
};
