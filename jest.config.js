/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  setupFiles: ['<rootDir>/test/support/setupEnv.ts'],
  testTimeout: 60000,
  // Integration tests start HTTPS servers and Azurite; two workers match the 2-core machines we run on.
  maxWorkers: 2,
};
