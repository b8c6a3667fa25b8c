/**
 * The layers of src/, checked in CI (npm run lint:deps). Arrows point down:
 * handlers -> domain -> db; http/, auth/ and metrics/ sit beside the domain and may call it; the
 * domain knows none of them (it reports through src/domain/observation.ts); db/ knows nothing above it; nothing in src/ reaches into the tests
 * or the build scripts. README "Layers" says the same in prose.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-knows-no-transport',
      comment: 'src/domain holds business rules: it must not import http/, auth/, handlers/, metrics/ or the composition root.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/(http|auth|handlers|metrics)/|^src/(app|server|main|cli|demo|config)\\.ts$' },
    },
    {
      name: 'only-metrics-knows-prom-client',
      comment: 'The domain and the database report through their observation channels (observation.ts); src/metrics alone turns them into metrics.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/metrics/' },
      to: { path: 'node_modules/prom-client/' },
    },
    {
      name: 'db-knows-nothing-above',
      comment: 'src/db is the database adapter: it imports nothing else from src/.',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: '^src/', pathNot: '^src/db/' },
    },
    {
      name: 'handlers-run-no-sql',
      comment: 'Handlers call the domain; they may name the Database type to pass it on, never import db/ code.',
      severity: 'error',
      from: { path: '^src/handlers/' },
      to: { path: '^src/db/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nothing-imports-handlers-but-the-app',
      comment: 'Only the composition root mounts handlers.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(handlers/|app\\.ts$)', '\\.test\\.ts$'] },
      to: { path: '^src/handlers/' },
    },
    {
      name: 'src-imports-no-tests-or-scripts',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(contract-tests|scripts)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^generated/sdk/' },
  },
};
