import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// The Telegram emulator (packages/telegram-emulator, a devDependency) reaches the service through one wiring
// module, loaded only with TELEGRAM_EMULATOR on; packages/telegram-emulator lints with its own config.
const EMULATOR_PACKAGE = '^@integration-service/telegram-emulator(/|$)';
const EMULATOR_ONLY_IN_WIRING =
  'Only src/telegram-emulator-wiring imports the Telegram emulator package (a devDependency, absent in production).';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'data/**',
      'node_modules/**',
      'coverage/**',
      'jest.config.js',
      '.dependency-cruiser.cjs',
      'eslint.config.mjs',
      'web/vite.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Operator scripts in plain JavaScript (ES modules, run by node): no type information.
    files: ['deploy/**/*.mjs', 'tools/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly' },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'no-console': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // The console (web/): React hooks rules; it runs in the browser, where console.* is noise.
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-console': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/telegram/gateway/**', 'src/vault/**', 'src/telegram-emulator-wiring/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^telegram(/|$)', message: 'Only src/telegram/gateway imports GramJS.' },
            { regex: '^node-vault$', message: 'Only src/vault imports node-vault.' },
            { regex: EMULATOR_PACKAGE, message: EMULATOR_ONLY_IN_WIRING },
          ],
        },
      ],
    },
  },
  {
    files: ['src/telegram-emulator-wiring/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^telegram(/|$)', message: 'Only src/telegram/gateway imports GramJS.' },
            { regex: '^node-vault$', message: 'Only src/vault imports node-vault.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/telegram/gateway/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: EMULATOR_PACKAGE, message: EMULATOR_ONLY_IN_WIRING }] },
      ],
    },
  },
  {
    files: ['src/vault/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^telegram(/|$)', message: 'Only src/telegram/gateway imports GramJS.' },
            { regex: EMULATOR_PACKAGE, message: EMULATOR_ONLY_IN_WIRING },
          ],
        },
      ],
    },
  },
);
