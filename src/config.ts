/** The one config reader: every setting comes from an environment variable (see README). */
import { resolve } from 'node:path';

export interface Config {
  /** Interface to listen on. */
  host: string;
  /** TCP port (0 picks a free one). */
  port: number;
  /** PostgreSQL connection string; when absent the embedded PGlite database is used. */
  databaseUrl: string | undefined;
  /** Data directory of the embedded database. */
  dataDir: string;
  /** Size of the PostgreSQL connection pool. */
  databasePoolSize: number;
  /** Lifetime of access tokens, in seconds. */
  tokenTtlSeconds: number;
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes: number;
  /** pino log level (fatal, error, warn, info, debug, trace, silent). */
  logLevel: string;
  /** Validate every response against the contract (a violation becomes a 500 and a log line). */
  validateResponses: boolean;
  /** Create the demo partner on start when it does not exist. */
  demoData: boolean;
  /** Keys protecting stored card numbers (base64, 32 bytes each); generated in DATA_DIR when absent on the embedded database. */
  cardHashKey: Buffer | undefined;
  cardEncryptionKey: Buffer | undefined;
  /** The 6-digit issuer prefix of card numbers. */
  cardIin: string;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function key(env: NodeJS.ProcessEnv, name: string): Buffer | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Buffer.from(raw, 'base64');
  if (value.length !== 32) throw new ConfigError(`${name} must be 32 bytes in base64 (openssl rand -base64 32)`);
  return value;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function cardIin(raw: string | undefined): string {
  const value = raw || '707070';
  if (!/^[0-9]{6}$/.test(value)) throw new ConfigError(`CARD_IIN must be 6 digits, got "${raw}"`);
  return value;
}

/** Reads and checks the configuration; throws ConfigError naming the faulty variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return {
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 8080, 0, 65535),
    databaseUrl,
    dataDir: resolve(env.DATA_DIR || '.data'),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', 3600, 60, 86400),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 100 * 1024, 1024, 10 * 1024 * 1024),
    logLevel,
    validateResponses: boolean(env, 'VALIDATE_RESPONSES', true),
    demoData: boolean(env, 'DEMO_DATA', databaseUrl === undefined),
    cardHashKey: key(env, 'CARD_HASH_KEY'),
    cardEncryptionKey: key(env, 'CARD_ENCRYPTION_KEY'),
    cardIin: cardIin(env.CARD_IIN),
  };
}
