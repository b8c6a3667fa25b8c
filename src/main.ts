/** Process entry: config, database and migrations, demo data, listen, background work, graceful shutdown. */
import { readConfig, ConfigError } from './config';
import { openDatabase } from './db/database';
import { DatabaseUnavailableError } from './db/errors';
import { migrate, MigrationHistoryError } from './db/migrate';
import { claimDeploymentMode, DeploymentModeMismatch } from './domain/deployment';
import { demoBanner, DEMO_OPERATORS_ISSUER, ensureDemoData, ensureDemoOperators, operatorsBanner } from './demo';
import type { EmbeddedOidc } from './auth/embedded-oidc';
import { cardVaultFor } from './card-keys';
import { secureDataDir } from './data-dir';
import { DataDirLockedError, lockDataDir } from './data-dir-lock';
import { serveCli, type CliChannel } from './cli/channel';
import { createLogger } from './http/logger';
import { createMetrics } from './metrics/metrics';
import { startServer } from './server';
import { SYSTEM_ACTORS } from './domain/actor';
import { expireHolds } from './domain/payments/holds';
import { purgeIdempotencyKeys } from './domain/idempotency';
import { WebhookDispatcher } from './domain/webhooks/dispatcher';

/** How often expired pay-at-pump holds are released. */
const HOLD_SWEEP_INTERVAL_MS = 10_000;
/** How often Idempotency-Key answers past their retention are purged. */
const IDEMPOTENCY_PURGE_INTERVAL_MS = 600_000;

/** The supported runtime: Node.js 24 LTS (npm ci installs it into node_modules/.bin). */
const REQUIRED_NODE_MAJOR = 24;

async function main(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < REQUIRED_NODE_MAJOR) {
    throw new ConfigError(
      `Node.js ${REQUIRED_NODE_MAJOR} is required, this is ${process.version}: start with npm start (it runs node_modules/.bin/node) or install Node.js ${REQUIRED_NODE_MAJOR}`,
    );
  }
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  if (!config.databaseUrl) {
    // Directories PGlite makes follow the umask; its files are repaired after open (data-dir.ts).
    process.umask(0o077);
    secureDataDir(config.dataDir);
  }
  const unlock = config.databaseUrl ? () => undefined : lockDataDir(config.dataDir);
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    timeouts: config.databaseTimeouts,
    onIdleError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
  });
  const applied = await migrate(db);
  logger.info({ database: db.kind, applied }, 'database ready');
  // Before the demo data: its partner's consumer-key carries the mode's prefix.
  await claimDeploymentMode(db, config.mode);
  const cardVault = cardVaultFor(config);
  const demo = config.demoData ? await ensureDemoData(db, config.dataDir, cardVault) : null;
  const operators = config.demoData ? await ensureDemoOperators(db, config.dataDir, config.oidc?.issuer ?? DEMO_OPERATORS_ISSUER) : [];
  if (!config.databaseUrl) secureDataDir(config.dataDir);
  // The CLI cannot open the embedded database beside us: it hands its commands to us instead.
  const cliChannel: CliChannel | null = config.databaseUrl
    ? null
    : await serveCli(config.dataDir, db, config, (error) => logger.error({ err: error }, 'CLI command failed')).catch((error: unknown) => {
        logger.warn({ err: error }, 'the CLI channel could not open: the CLI cannot run while the server runs');
        return null;
      });

  let draining = false;
  const metrics = createMetrics(db);
  // Without a provider of its own, the demo's operators log in at the embedded one, whose issuer names the server's address.
  // Its module (oidc-provider, about 13 MB of resident memory) is loaded only then.
  const makeProvider = config.demoData && !config.oidc ? (await import('./auth/embedded-oidc')).embeddedOidc : undefined;
  let provider: EmbeddedOidc | undefined;
  const withEmbeddedProvider = (embeddedOidc: NonNullable<typeof makeProvider>) => (urls: { url: string; internalUrl: string | undefined }) => {
    // A browser cannot go to a wildcard address: it reaches the server on loopback.
    const [url, internalUrl] = [urls.url, urls.internalUrl].map((address) => address?.replace(/^(https?):\/\/(0\.0\.0\.0|\[::\])(?=:)/, '$1://127.0.0.1'));
    provider = embeddedOidc({
      baseUrl: config.publicBaseUrl ?? (url as string),
      coreUrl: internalUrl ?? config.publicBaseUrl ?? (url as string),
      accounts: operators.map(({ subject, displayName, password, totpSecret }) => ({ subject, displayName, password, totpSecret })),
      enrolledIssuer: DEMO_OPERATORS_ISSUER,
      accessTokenTtlSeconds: config.tokenTtlSeconds,
      clockSkewSeconds: 60,
      stepUpAcr: config.operatorStepUpAcr,
    });
    return { embeddedOidc: provider };
  };
  const running = await startServer({ db, cardVault, logger, config, metrics, draining: () => draining }, config.host, config.port, {
    tls: config.tls,
    maxHeaderSize: config.maxHeaderBytes,
    internal: config.internalListener,
    withAddresses: makeProvider && withEmbeddedProvider(makeProvider),
  });
  logger.info({ url: running.url, internalUrl: running.internalUrl, operatorIssuer: provider?.issuer }, 'CYNOD API listening');
  if (demo) process.stdout.write(demoBanner(running.url, demo, running.internalUrl) + '\n');
  else if (config.demoData) logger.warn('demo partner exists but its credentials file is gone; create a partner with npm run cli');
  if (provider && operators.length > 0) process.stdout.write(operatorsBanner(provider, operators) + '\n');

  // Background work, one run of each job at a time, awaited before shutdown (its safe point):
  // expired pay-at-pump holds released (safe with several instances: SKIP LOCKED), old
  // Idempotency-Key answers purged.
  const runs = new Set<Promise<unknown>>();
  const every = (ms: number, job: () => Promise<unknown>) => {
    let current: Promise<unknown> | null = null;
    return setInterval(() => {
      if (draining || current) return;
      const run = (current = job().finally(() => {
        current = null;
        runs.delete(run);
      }));
      runs.add(run);
    }, ms);
  };
  const sweep = every(HOLD_SWEEP_INTERVAL_MS, () =>
    expireHolds(db, SYSTEM_ACTORS.system).then(
      (released) => {
        metrics.jobSucceeded('hold-expiry');
        if (released > 0) logger.info({ released }, 'expired holds released');
      },
      (error: unknown) => logger.warn({ err: error }, 'hold expiry sweep failed'),
    ),
  );
  const purge = every(IDEMPOTENCY_PURGE_INTERVAL_MS, () =>
    purgeIdempotencyKeys(db, SYSTEM_ACTORS.system, config.idempotencyRetentionHours).then(
      (purged) => {
        metrics.jobSucceeded('idempotency-key-purge');
        if (purged > 0) logger.info({ purged }, 'old idempotency keys purged');
      },
      (error: unknown) => logger.warn({ err: error }, 'idempotency key purge failed'),
    ),
  );

  // Webhooks: each instance queues the feeds' new events and sends due deliveries (claimed with
  // SKIP LOCKED under a lease); a run only starts deliveries, which the dispatcher tracks.
  const { pollIntervalMs, allowLoopbackHttp, ...delivery } = config.webhooks;
  const dispatcher = new WebhookDispatcher(db, cardVault, { ...delivery, policy: { allowLoopbackHttp } }, (error) =>
    logger.warn({ err: error }, 'webhook delivery failed to record'),
  );
  const webhooks = every(pollIntervalMs, () =>
    dispatcher.run().then(
      ({ purged }) => {
        metrics.jobSucceeded('webhook-dispatch');
        if (purged > 0) logger.info({ purged }, 'old webhook delivery log purged');
      },
      (error: unknown) => logger.warn({ err: error }, 'webhook dispatch failed'),
    ),
  );

  /**
   * SIGTERM/SIGINT: /ready answers 503, the listeners close (new connections are refused),
   * idle keep-alive connections are closed, in-flight requests, the background jobs and the
   * webhook deliveries in flight finish (an attempt's deadline is below the grace; one cut
   * short is retried by whichever instance claims it when its lease runs out),
   * then the database closes and the process exits 0. Past SHUTDOWN_GRACE_SECONDS what is
   * still open is cut and the process exits 1.
   */
  const stop = async (signal: string) => {
    if (draining) return;
    draining = true;
    logger.info({ signal, graceSeconds: config.shutdownGraceSeconds }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      logger.error({ graceSeconds: config.shutdownGraceSeconds }, 'shutdown grace period elapsed: open requests cut');
      running.closeAllConnections();
      process.exit(1);
    }, config.shutdownGraceSeconds * 1000).unref();
    clearInterval(sweep);
    clearInterval(purge);
    clearInterval(webhooks);
    await Promise.all([
      running.close().catch((error) => logger.error({ err: error }, 'server close failed')),
      cliChannel?.close().catch((error) => logger.error({ err: error }, 'CLI channel close failed')),
      ...runs,
    ]);
    await dispatcher.drain();
    metrics.close();
    await db.close().catch((error) => logger.error({ err: error }, 'database close failed'));
    if (!config.databaseUrl) secureDataDir(config.dataDir);
    unlock();
    clearTimeout(timer);
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** The connection string without its password, for a message. */
function shownUrl(databaseUrl: string | undefined): string {
  if (!databaseUrl) return 'the embedded database';
  try {
    const url = new URL(databaseUrl);
    url.password = '';
    url.search = '';
    return url.toString();
  } catch {
    return 'DATABASE_URL';
  }
}

/** One line saying why the process could not start. */
function startFailure(error: unknown): string {
  if (error instanceof ConfigError) return `configuration error: ${error.message}`;
  if (error instanceof DataDirLockedError) return error.message;
  if (error instanceof MigrationHistoryError || error instanceof DeploymentModeMismatch) return `failed to start: ${error.message}`;
  if (error instanceof DatabaseUnavailableError) {
    const cause = error.cause as { code?: string; message?: string } | undefined;
    return `failed to start: cannot reach ${shownUrl(process.env.DATABASE_URL)} (${cause?.code ?? cause?.message ?? 'no answer'}); is PostgreSQL running and DATABASE_URL right?`;
  }
  return `failed to start: ${String((error as Error)?.stack ?? error)}`;
}

main().catch((error) => {
  process.stderr.write(`${startFailure(error)}\n`);
  process.exit(1);
});
