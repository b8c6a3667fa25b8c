/**
 * The server side of `npm run bench`, run in its own process (started by scripts/bench.ts
 * with `node --import tsx`) so that the load generator never shares its event loop. It
 * either prepares the benchmark database once, or serves one target: a raw node:http
 * hello-world, an Express 5 hello-world, the real API, or the ceiling (the API's SQL work the
 * best known way, scripts/bench/ceiling.ts). It talks to its parent over IPC
 * and, when asked to stop, reports the peak RSS of its own process.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../src/config';
import type { Database } from '../../src/db/database';
import type { CardVault } from '../../src/domain/cards/card-numbers';
import type { ChildMessage, ParentMessage, TargetSpec } from './protocol';

// Each target loads only what it runs (below, with import()): the baselines measure a process
// holding node:http (and Express) alone, not the whole API loaded beside them.

/** Resolves once the message is handed to the IPC channel (so a disconnect cannot drop it). */
const send = (message: ChildMessage) =>
  new Promise<void>((resolve, reject) =>
    process.send ? process.send(message, undefined, undefined, (error) => (error ? reject(error) : resolve())) : resolve(),
  );

/** The rate limits are counted on every call (their cost is measured) but never reached. */
const BENCH_RATE_LIMIT = 1_000_000_000;

/** The same body for both baselines, about the size of a small API answer. */
const HELLO = JSON.stringify({ hello: 'world' });

/**
 * Peak RSS: the kernel's high-water mark (VmHWM) is exact; where /proc is missing, the
 * largest of the samples taken every 100 ms is the fallback.
 */
let sampledPeak = 0;
const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss())), 100).unref();
function peakRssBytes(): number {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Math.max(Number(match[1]) * 1024, sampledPeak);
  } catch {
    // no /proc (not Linux): the samples will do
  }
  return sampledPeak;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function openBenchDatabase(spec: TargetSpec, poolSize: number): Promise<Database> {
  const { openDatabase } = await import('../../src/db/database');
  return openDatabase({ databaseUrl: spec.databaseUrl, dataDir: spec.dataDir, poolSize });
}

/**
 * Migrates the fresh database and creates the partners the scenarios authenticate as: a
 * partner reading its profile, and an internal back-office application holding every scope
 * (the ledger scenarios).
 */
async function prepare(spec: TargetSpec): Promise<void> {
  const [{ migrate }, { createPartner }, { SYSTEM_ACTORS }, { oauthScopes }] = await Promise.all([
    import('../../src/db/migrate'),
    import('../../src/domain/partners/partners'),
    import('../../src/domain/actor'),
    import('../../generated/operations'),
  ]);
  const db = await openBenchDatabase(spec, 2);
  try {
    await migrate(db);
    const { partner, consumerSecret } = await createPartner(db, SYSTEM_ACTORS.system, { name: 'Partenaire de benchmark', scopes: ['partner:profile.read'] });
    const core = await createPartner(db, SYSTEM_ACTORS.system, { name: 'Back-office de benchmark', scopes: Object.keys(oauthScopes), internal: true });
    await send({
      type: 'prepared',
      consumerKey: partner.consumerKey,
      consumerSecret,
      core: { consumerKey: core.partner.consumerKey, consumerSecret: core.consumerSecret },
    });
  } finally {
    await db.close();
  }
}

/** The webhook dispatcher run as src/main.ts runs it (one run at a time), receivers on loopback allowed; `stop` lets deliveries in flight end. */
async function dispatch(db: Database, cardVault: CardVault, config: Config, pollMs: number): Promise<{ stop: () => Promise<void> }> {
  const { WebhookDispatcher } = await import('../../src/domain/webhooks/dispatcher');
  const { pollIntervalMs: _poll, allowLoopbackHttp: _loopback, ...delivery } = config.webhooks;
  const dispatcher = new WebhookDispatcher(db, cardVault, { ...delivery, policy: { allowLoopbackHttp: true } }, (error) =>
    process.stderr.write(`bench server: webhook delivery failed to record: ${String(error)}\n`),
  );
  let current: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    current ??= dispatcher
      .run()
      .catch((error) => process.stderr.write(`bench server: webhook dispatch failed: ${String(error)}\n`))
      .finally(() => (current = null));
  }, pollMs);
  return {
    async stop() {
      clearInterval(timer);
      await current;
      await dispatcher.drain();
    },
  };
}

/** Starts the target; returns its URL and how to stop it. */
async function serve(spec: TargetSpec): Promise<{ url: string; stop: () => Promise<void> }> {
  switch (spec.kind) {
    case 'node-http': {
      const server = createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(HELLO) });
        res.end(HELLO);
      });
      return { url: await listen(server), stop: () => closeServer(server) };
    }
    case 'express': {
      const { default: express } = await import('express');
      const app = express();
      app.get('/', (_req, res) => void res.json({ hello: 'world' }));
      const server = createServer(app);
      return { url: await listen(server), stop: () => closeServer(server) };
    }
    case 'api': {
      const [{ readConfig }, { createLogger }, { CardVault }, { startServer }] = await Promise.all([
        import('../../src/config'),
        import('../../src/http/logger'),
        import('../../src/domain/cards/card-numbers'),
        import('../../src/server'),
      ]);
      const config = readConfig({ ...process.env, DATABASE_URL: spec.databaseUrl });
      const db = await openBenchDatabase(spec, config.databasePoolSize);
      const logger = createLogger(spec.logLevel);
      const cardVault = new CardVault(
        { hashKey: Buffer.from(spec.cardKeys.hashKey, 'base64'), encryptionKey: Buffer.from(spec.cardKeys.encryptionKey, 'base64') },
        config.cardIin,
      );
      const running = await startServer(
        // The throwaway database's card keys, shared by all its server processes.
        {
          db,
          cardVault,
          logger,
          config: {
            ...config,
            validateResponses: spec.validateResponses,
            rateLimitPerMinute: BENCH_RATE_LIMIT,
            tokenRateLimitPerMinute: BENCH_RATE_LIMIT,
            // The webhook scenarios' receivers are on loopback.
            webhooks: { ...config.webhooks, allowLoopbackHttp: config.webhooks.allowLoopbackHttp || spec.webhookPollMs !== undefined },
          },
        },
        '127.0.0.1',
        0,
      );
      const dispatching = spec.webhookPollMs ? await dispatch(db, cardVault, config, spec.webhookPollMs) : null;
      return {
        url: running.url,
        async stop() {
          running.closeAllConnections();
          await running.close();
          await dispatching?.stop();
          await db.close();
        },
      };
    }
    case 'ceiling': {
      const [{ readConfig }, { serveCeiling }] = await Promise.all([import('../../src/config'), import('./ceiling')]);
      // The API's pool size, as the API server of the bench gets it.
      const config = readConfig({ ...process.env, DATABASE_URL: spec.databaseUrl });
      return serveCeiling(spec, { poolSize: config.databasePoolSize, rateLimitPerMinute: BENCH_RATE_LIMIT });
    }
    default:
      throw new Error(`unknown bench target ${JSON.stringify(spec.kind)}`);
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as TargetSpec;
  if (spec.kind === 'prepare') {
    await prepare(spec);
    process.exit(0);
  }
  const target = await serve(spec);
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      void send({ type: 'cpu', micros: user + system });
      return;
    }
    if (message.type !== 'stop') return;
    clearInterval(sampler);
    const peak = peakRssBytes();
    void target
      .stop()
      .catch((error) => process.stderr.write(`bench server: stop failed: ${String(error)}\n`))
      .then(() => send({ type: 'stopped', peakRssBytes: peak }))
      .finally(() => process.exit(0));
  });
  // The parent dying must not leave a server behind.
  process.on('disconnect', () => process.exit(0));
  await send({ type: 'ready', url: target.url });
}

main().catch((error) => {
  process.stderr.write(`bench server failed: ${String(error?.stack ?? error)}\n`);
  process.exit(1);
});
