// The dependency rules of src/ (README.md, "Layout"), checked by `npm run lint:deps`, which `npm test`
// runs before the test files. Each rule says why it exists; a violation fails the test run.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No import cycles: each folder can be read bottom-up, and a module can be understood from what it imports.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'model-imports-nothing',
      severity: 'error',
      comment: 'The model imports nothing of ours, so everything can depend on it without dragging anything in.',
      from: { path: '^src/model\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'text-is-a-leaf',
      severity: 'error',
      comment: 'src/text.ts (the one markup escaper, escapeRegExp, XML-character hygiene) imports nothing of ours, so every layer may use it.',
      from: { path: '^src/text\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'slices-is-a-leaf',
      severity: 'error',
      comment: 'src/slices.ts (long loops of the serving thread cut into slices that yield to the event loop) imports nothing of ours, so every layer may use it.',
      from: { path: '^src/slices\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'ingest-not-http-or-render',
      severity: 'error',
      comment: 'Ingest runs in the CLI and in workers without a server: it never imports http/ or render/.',
      from: { path: '^src/ingest/' },
      to: { path: '^src/(http|render|cli)/|^src/main\\.ts$' },
    },
    {
      name: 'render-is-pure',
      severity: 'error',
      comment: 'Render is a pure function of its input (render once per change, test without I/O): no store, ingest, http, partners, schedule, config or log.',
      from: { path: '^src/render/' },
      to: { path: '^src/(store|ingest|http|partners|schedule|publish|config|cli|metrics)/|^src/(main|log)\\.ts$' },
    },
    {
      name: 'render-no-io-modules',
      severity: 'error',
      comment: 'Render does no I/O: no file system, network or process modules (the clock is passed in as `now`).',
      from: { path: '^src/render/' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|http|https|net|child_process|worker_threads|dgram|dns)$' },
    },
    {
      name: 'store-imports-only-model',
      severity: 'error',
      comment:
        'The store imports only the model (and itself): a second backend is a folder beside store/files/, not a rewrite. ' +
        'text.ts is allowed too: a leaf of pure string helpers (escaping, XML-character hygiene) that imports nothing and anything may use; ' +
        'so is slices.ts, the leaf that cuts long loops into slices yielding to the event loop.',
      from: { path: '^src/store/' },
      to: { path: '^src/', pathNot: '^src/(store/|model\\.ts$|text\\.ts$|slices\\.ts$)' },
    },
    {
      name: 'http-never-ingest',
      severity: 'error',
      comment: 'http reads the store through its contract and never calls ingest: serving never waits on upstreams.',
      from: { path: '^src/http/' },
      to: { path: '^src/(ingest|schedule/scheduler\\.ts|cli|config)/?|^src/main\\.ts$' },
    },
    {
      name: 'schedule-not-http',
      severity: 'error',
      comment: 'The scheduler knows nothing of http, so it can move to a leader instance.',
      from: { path: '^src/schedule/' },
      to: { path: '^src/(http|cli)/|^src/main\\.ts$' },
    },
    {
      name: 'only-roots-compose',
      severity: 'error',
      comment: 'Only main.ts and cli/ compose the parts: one place per process shows what runs. Nothing imports them back.',
      from: { path: '^src/', pathNot: '^src/(cli/|main\\.ts$)' },
      to: { path: '^src/(cli/|main\\.ts$)' },
    },
    {
      name: 'commander-only-in-cli',
      severity: 'error',
      comment: 'Command-line parsing (commander) lives in cli/ only; domain folders hold no command code.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: 'node_modules/commander/' },
    },
    {
      name: 'metrics-and-log-are-leaves',
      severity: 'error',
      comment: 'metrics/ and log are leaves that ingest and http report to: they import nothing of ours but the model.',
      from: { path: '^src/(metrics/|log\\.ts$)' },
      to: { path: '^src/', pathNot: '^src/(metrics/|log\\.ts$|model\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs'] },
  },
};
