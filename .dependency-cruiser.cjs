/**
 * The folder-level cycle check `npm run lint` runs (dependency-cruiser): no folder of src/ may depend
 * on a folder that depends back on it. A folder counts with everything below it (src/telegram holds
 * src/telegram/accounts), and type-only imports count too (tsPreCompilationDeps), so features meet
 * through small ports in a neutral folder rather than through each other's internals.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment:
        'This folder depends on a folder that depends back on it: move the shared piece to a neutral ' +
        'folder, or ask for a port (an interface + injection token) the other folder provides.',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    exclude: {
      path: [
        // A unit spec may import what it checks from anywhere (and the helpers in test/support).
        '\\.spec\\.ts$',
        // The Telegram emulator and the dev console move to a workspace package of their own.
        '^src/telegram/emulator/',
        '^src/console/dev/',
        '^src/cli/emulator\\.ts$',
      ],
    },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
