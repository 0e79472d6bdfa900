/** The emulator's own specs (beside the code), conformance runs of mtcute and Telethon included. */
module.exports = {
  displayName: 'telegram-emulator',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.(ts|js)$': ['@swc/jest'] },
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60000,
};
