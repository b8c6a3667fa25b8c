/**
 * The layers of src/, checked in CI (npm run lint:deps). Arrows point down:
 * handlers -> domain -> db; http/, auth/ and metrics/ sit beside the domain and may call it, http/
 * may call auth/ but auth/ never http/, and src/request (what both read from a request) sits beneath
 * both; the domain knows none of them (it reports through src/domain/observation.ts); db/ knows nothing above it; nothing in src/ reaches into the tests
 * or the build scripts. Inside the domain, areas point down too (the rest of the domain never imports
 * gateway/): webhooks -> gateway -> payments -> cards and fleet -> referential -> the ledger core (partners
 * beside referential). README "Layers" says the same in prose.
 */
/** The domain's areas by level, from the bottom: an area may import the levels below its own (and its own), never above. */
const AREAS = [
  ['events', 'audit', 'security'],
  ['ledger'],
  ['referential', 'partners'],
  ['cards'],
  ['fleet', 'operators'],
  ['payments'],
  ['gateway'],
  ['webhooks'],
];

module.exports = {
  forbidden: [
    {
      name: 'domain-knows-no-transport',
      comment: 'src/domain holds business rules: it must not import http/, auth/, request/, handlers/, metrics/ or the composition root.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/(http|auth|request|handlers|metrics)/|^src/(app|server|main|cli|demo|config)\\.ts$' },
    },
    {
      name: 'auth-never-imports-http',
      comment:
        'src/auth decides who is calling; src/http carries requests and writes answers and may call auth, never the reverse. What both read from a request (its address, operation, language) is in src/request.',
      severity: 'error',
      from: { path: '^src/auth/' },
      to: { path: '^src/http/' },
    },
    {
      name: 'request-sits-beneath-http-and-auth',
      comment: 'src/request holds what http/ and auth/ both read from a request: it imports neither of them, nor handlers/ or metrics/.',
      severity: 'error',
      from: { path: '^src/request/' },
      to: { path: '^src/(http|auth|handlers|metrics)/|^src/(app|server|main|cli|demo|config)\\.ts$' },
    },
    {
      name: 'nothing-in-the-domain-calls-the-gateway',
      comment:
        "src/domain/gateway holds the 3rd Party API's use cases, on top of the rest of the domain: handlers (and the error mapper) call it, and webhooks/ above it (a webhook delivers the partner's feed as the gateway shapes it); the rest of the domain never does.",
      severity: 'error',
      from: { path: '^src/domain/', pathNot: '^src/domain/(gateway|webhooks)/' },
      to: { path: '^src/domain/gateway/' },
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
      name: 'layers-never-import-the-root',
      comment:
        "The files at src/'s root (config, the app, the server, the entry points) compose the layers; no layer imports them (a setting reaches a layer as a value or an interface of its own).",
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'src-imports-no-tests-or-scripts',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(contract-tests|scripts)/' },
    },
    {
      name: 'kernel-imports-no-area',
      comment:
        'The kernel files directly under src/domain/ (errors, money, ids, pagination, idempotency, the actor...) sit beneath every domain area: they import none of them (src/domain/<area>/).',
      severity: 'error',
      from: { path: '^src/domain/[^/]+\\.ts$', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/domain/[^/]+/' },
    },
    {
      name: 'ledger-core-imports-no-policy',
      comment:
        'src/domain/ledger/ is the ledger core (accounts, posting, invariants, reads of operations and balances): it imports no other domain area, only the kernel files at src/domain/*.ts, the event outbox (events/) and db/. Payment policy lives in payments/.',
      severity: 'error',
      from: { path: '^src/domain/ledger/' },
      to: { path: '^src/domain/[^/]+/', pathNot: '^src/domain/(ledger|events)/' },
    },
    ...AREAS.slice(0, -1).map((level, index) => ({
      name: 'areas-point-down',
      comment: `Domain areas, from the top: ${[...AREAS]
        .reverse()
        .map((areas) => areas.join(' and '))
        .join(' -> ')}, then the kernel files (domain/*.ts). An area imports only the levels below its own: ${level.join(' and ')} never import ${AREAS.slice(
        index + 1,
      )
        .flat()
        .join(', ')}.`,
      severity: 'error',
      from: { path: `^src/domain/(${level.join('|')})/` },
      to: {
        path: `^src/domain/(${AREAS.slice(index + 1)
          .flat()
          .join('|')})/`,
      },
    })),
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
