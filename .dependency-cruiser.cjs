/**
 * The dependency rules `npm run lint` checks (dependency-cruiser). No folder of src/ may depend
 * on a folder that depends back on it. A folder counts with everything below it (src/telegram holds
 * src/telegram/accounts), and type-only imports count too (tsPreCompilationDeps), so features meet
 * through small ports in a neutral folder rather than through each other's internals; the second rule
 * keeps the send path and the channels on the senders port.
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
    {
      name: 'senders-through-the-port',
      severity: 'error',
      comment:
        'Messages and channels reach accounts and bots through SenderDirectory (src/telegram/senders), ' +
        'not through their secrets, repositories or transitions; their Nest modules (which provide the ' +
        'port) and their errors may be imported.',
      from: { path: '^src/telegram/(messages|channels)/' },
      to: { path: '^src/telegram/(accounts|bots)/', pathNot: ['\\.module\\.ts$', '\\.errors\\.ts$'] },
    },
  ],
  options: {
    exclude: {
      path: [
        // A unit spec may import what it checks from anywhere (and the helpers in test/support).
        '\\.spec\\.ts$',
        // The emulator package is linted on its own (packages/telegram-emulator); the service reaches it
        // only through src/telegram-emulator-wiring.
        '^packages/',
      ],
    },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
