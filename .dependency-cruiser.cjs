/**
 * The module boundaries of docs/architecture.md (house style): platform knows no module; a module reaches another
 * only through its index.ts; only flows/ and entry/ combine modules; nothing imports entry/.
 */
module.exports = {
  forbidden: [
    {
      name: 'platform-imports-no-domain',
      severity: 'error',
      comment: 'platform/ is the shared kernel: it must not know modules, flows or entry points.',
      from: { path: '^src/platform/' },
      to: { path: '^src/(modules|flows|entry)/' },
    },
    {
      name: 'module-internals-are-private',
      severity: 'error',
      comment: "A module may import another module only through that module's index.ts.",
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'flows-use-module-index-only',
      severity: 'error',
      comment: "Flows compose modules through their public index.ts, never their internals.",
      from: { path: '^src/(flows|entry)/' },
      to: { path: '^src/modules/[^/]+/.+', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'modules-do-not-use-flows',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: '^src/(flows|entry)/' },
    },
    {
      name: 'nothing-imports-entry',
      severity: 'error',
      from: { path: '^src/(platform|modules|flows)/' },
      to: { path: '^src/entry/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
