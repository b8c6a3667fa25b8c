/** Process entry: config, database and migrations, demo data, listen, graceful shutdown. */
import { readConfig, ConfigError } from './config';
import { openDatabase } from './db/database';
import { migrate } from './db/migrate';
import { demoBanner, ensureDemoData } from './demo';
import { cardVaultFor } from './card-keys';
import { secureDataDir } from './data-dir';
import { DataDirLockedError, lockDataDir } from './data-dir-lock';
import { createLogger } from './http/logger';
import { startServer } from './server';
import { SYSTEM_ACTORS } from './domain/actor';
import { expireHolds } from './domain/ledger/holds';
import { purgeIdempotencyKeys } from './domain/idempotency';

/** How often expired pay-at-pump holds are released. */
const HOLD_SWEEP_INTERVAL_MS = 10_000;
/** How often Idempotency-Key answers past their retention are purged. */
const IDEMPOTENCY_PURGE_INTERVAL_MS = 600_000;

/** The supported runtime: Node.js 24 LTS (npm ci installs it into node_modules/.bin). */
const REQUIRED_NODE_MAJOR = 24;

async function main(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < REQUIRED_NODE_MAJOR) {
    throw new ConfigError(`Node.js ${REQUIRED_NODE_MAJOR} is required, this is ${process.version}: start with npm start (it runs node_modules/.bin/node) or install Node.js ${REQUIRED_NODE_MAJOR}`);
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
  const cardVault = cardVaultFor(config);
  const demo = config.demoData ? await ensureDemoData(db, config.dataDir, cardVault) : null;
  if (!config.databaseUrl) secureDataDir(config.dataDir);

  const running = await startServer({ db, cardVault, logger, config }, config.host, config.port, { tls: config.tls, maxHeaderSize: config.maxHeaderBytes });
  logger.info({ url: running.url }, 'CYNOD API listening');
  if (demo) process.stdout.write(demoBanner(running.url, demo) + '\n');
  else if (config.demoData) logger.warn('demo partner exists but its credentials file is gone; create a partner with npm run cli');

  // Background work: expired pay-at-pump holds are released (safe with several instances: SKIP LOCKED).
  const sweep = setInterval(() => {
    expireHolds(db, SYSTEM_ACTORS.system).then(
      (released) => released > 0 && logger.info({ released }, 'expired holds released'),
      (error: unknown) => logger.warn({ err: error }, 'hold expiry sweep failed'),
    );
  }, HOLD_SWEEP_INTERVAL_MS);
  const purge = setInterval(() => {
    purgeIdempotencyKeys(db, SYSTEM_ACTORS.system, config.idempotencyRetentionHours).then(
      (purged) => purged > 0 && logger.info({ purged }, 'old idempotency keys purged'),
      (error: unknown) => logger.warn({ err: error }, 'idempotency key purge failed'),
    );
  }, IDEMPOTENCY_PURGE_INTERVAL_MS);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    clearInterval(sweep);
    clearInterval(purge);
    await running.close().catch((error) => logger.error({ err: error }, 'server close failed'));
    await db.close().catch((error) => logger.error({ err: error }, 'database close failed'));
    if (!config.databaseUrl) secureDataDir(config.dataDir);
    unlock();
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  process.stderr.write(error instanceof ConfigError ? `configuration error: ${error.message}\n` : error instanceof DataDirLockedError ? `${error.message}\n` : `failed to start: ${String(error?.stack ?? error)}\n`);
  process.exit(1);
});
