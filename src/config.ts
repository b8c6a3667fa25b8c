/** The one config reader: every setting comes from an environment variable (the table in docs/operating.md, Configuration). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCidr } from './domain/ip-ranges';
import type { WebhookSettings } from './domain/webhooks/settings';
import { createSecureContext } from 'node:tls';
import type { OidcSettings } from './auth/operator-tokens';
import type { DeploymentMode } from './domain/deployment';

export interface Config {
  /** CYNOD_MODE: live (default) or sandbox, a practice deployment on its own database (docs/sandbox.md). */
  mode: DeploymentMode;
  /** Interface to listen on. */
  host: string;
  /** TCP port (0 picks a free one). */
  port: number;
  /** INTERNAL_HOST / INTERNAL_PORT: the listener that alone serves the Core API and /metrics; absent: one listener serves everything. */
  internalListener: { host: string; port: number } | undefined;
  /** PostgreSQL connection string; when absent the embedded PGlite database is used. */
  databaseUrl: string | undefined;
  /** Data directory of the embedded database. */
  dataDir: string;
  /** Size of the PostgreSQL connection pool. */
  databasePoolSize: number;
  /** Per-connection limits of PostgreSQL sessions, in milliseconds (0: the server's own setting). */
  databaseTimeouts: { statementTimeoutMs: number; lockTimeoutMs: number; idleInTransactionTimeoutMs: number };
  /** Lifetime of access tokens, in seconds. */
  tokenTtlSeconds: number;
  /** How long Idempotency-Key answers are kept (at least 24 h), in hours. */
  idempotencyRetentionHours: number;
  /** On SIGTERM/SIGINT: how long in-flight requests and background work may take to finish, in seconds. */
  shutdownGraceSeconds: number;
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
  /** Certificate chain and private key (PEM) read at start from TLS_CERT_FILE / TLS_KEY_FILE; when set the server speaks HTTPS only. */
  tls: { cert: Buffer; key: Buffer } | undefined;
  /** Accept plain HTTP from non-loopback clients (development only). */
  allowInsecureHttp: boolean;
  /** Exact origins allowed by CORS; empty: CORS off. */
  corsOrigins: string[];
  /**
   * The address partners reach this server at, named as the server of the contract served at
   * /openapi.json and /openapi.yaml (what Postman and Insomnia import): PUBLIC_BASE_URL, else
   * the listener's own address; undefined (the contract says "/", relative to where it was
   * fetched) when neither names one (port 0, or a wildcard HOST without PUBLIC_BASE_URL).
   */
  publicBaseUrl: string | undefined;
  /** Largest request head (request line and headers) in bytes; larger ones get 431. */
  maxHeaderBytes: number;
  /**
   * Which proxies' X-Forwarded-For / X-Forwarded-Proto to believe (express "trust proxy"):
   * false, or addresses, CIDR ranges and loopback/linklocal/uniquelocal.
   */
  trustProxy: false | string[];
  /** Resource calls per partner per minute (0: no limit). */
  rateLimitPerMinute: number;
  /** Token requests per partner per minute at /oauth/token (0: no limit). */
  tokenRateLimitPerMinute: number;
  /** Failed client authentications from one address, or for one consumer-key, before further attempts are refused. */
  authFailureLimit: number;
  /** The window over which failed authentications are counted, in seconds. */
  authFailureWindowSeconds: number;
  /** The longest hold a station system's authorisation keeps on a card (3rd Party API), in seconds; a longer `holdSeconds` is cut to it. */
  partnerHoldMaxSeconds: number;
  /**
   * OIDC_ISSUER_URL and OIDC_AUDIENCE: the OpenID Connect provider whose access tokens name
   * back-office operators (src/auth/operator-tokens.ts); undefined: operator tokens are not accepted.
   */
  oidc: OidcSettings | undefined;
  /**
   * OIDC_STEP_UP_ACR: the `acr` an operator token shows for a multi-factor authentication, which
   * operations declaring x-operator-step-up demand (or `amr` naming `mfa`); the embedded
   * provider gives it to a login with a one-time code.
   */
  operatorStepUpAcr: string;
  /** Webhook delivery (src/domain/webhooks/): the WEBHOOK_* variables. */
  webhooks: WebhookSettings;
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

function readPem(name: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`${name} cannot be read (${path}): ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** TLS_CERT_FILE and TLS_KEY_FILE: both or neither; read now and checked to form a usable pair. */
function tlsFiles(env: NodeJS.ProcessEnv): Config['tls'] {
  const certFile = env.TLS_CERT_FILE || undefined;
  const keyFile = env.TLS_KEY_FILE || undefined;
  if (!certFile && !keyFile) return undefined;
  if (!certFile) throw new ConfigError('TLS_CERT_FILE must be set together with TLS_KEY_FILE');
  if (!keyFile) throw new ConfigError('TLS_KEY_FILE must be set together with TLS_CERT_FILE');
  const tls = { cert: readPem('TLS_CERT_FILE', certFile), key: readPem('TLS_KEY_FILE', keyFile) };
  try {
    createSecureContext(tls);
  } catch (error) {
    throw new ConfigError(`TLS_CERT_FILE and TLS_KEY_FILE do not hold a usable PEM certificate and matching key: ${(error as Error).message}`);
  }
  return tls;
}

/** CORS_ORIGINS: comma-separated exact origins (scheme://host[:port]), no wildcard, no path. */
function corsOrigins(raw: string | undefined): string[] {
  if (!raw || raw.trim() === '') return [];
  return raw.split(',').map((item) => {
    const origin = item.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS must list exact origins such as https://app.example.com, separated by commas; got "${origin}"`);
    }
    return origin;
  });
}

/** PUBLIC_BASE_URL (an http(s) origin, optionally with a path prefix), else the listener's address when it names one. */
function publicBaseUrl(raw: string | undefined, host: string, port: number, secure: boolean): string | undefined {
  if (raw !== undefined && raw !== '') {
    let parsed: URL | undefined;
    try {
      parsed = new URL(raw);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.search || parsed.hash || parsed.username || parsed.password) {
      throw new ConfigError(`PUBLIC_BASE_URL must be an http(s) address such as https://api.example.com, without query or fragment; got "${raw}"`);
    }
    return parsed.href.replace(/\/$/, '');
  }
  if (port === 0 || ['0.0.0.0', '::', ''].includes(host)) return undefined;
  return `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function trustProxy(raw: string | undefined): Config['trustProxy'] {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  // A number of hops would believe X-Forwarded-For from whoever connects: proxies are named.
  if (/^[0-9]+$/.test(raw))
    throw new ConfigError(`TRUST_PROXY must name the proxies (addresses, CIDR ranges, loopback, linklocal, uniquelocal), not a number of hops, got "${raw}"`);
  if (raw === 'true')
    throw new ConfigError(
      'TRUST_PROXY=true would believe X-Forwarded-For from anyone; list the proxies (addresses, CIDR ranges, loopback, linklocal, uniquelocal)',
    );
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (!PROXY_RANGE_NAMES.includes(entry) && typeof parseCidr(entry) === 'string') {
      throw new ConfigError(`TRUST_PROXY entry "${entry}" is not an address, a CIDR range, loopback, linklocal or uniquelocal`);
    }
  }
  return entries;
}

/** INTERNAL_PORT (and INTERNAL_HOST, default 127.0.0.1): set, a second listener; never the public one's address. */
function internalListener(env: NodeJS.ProcessEnv, host: string, port: number): Config['internalListener'] {
  if (env.INTERNAL_PORT === undefined || env.INTERNAL_PORT === '') {
    if (env.INTERNAL_HOST) throw new ConfigError('INTERNAL_HOST needs INTERNAL_PORT');
    return undefined;
  }
  const listener = { host: env.INTERNAL_HOST || '127.0.0.1', port: integer(env, 'INTERNAL_PORT', 0, 0, 65535) };
  if (listener.port !== 0 && listener.port === port && listener.host === host)
    throw new ConfigError(`INTERNAL_PORT must differ from PORT on the same host (${host}:${port})`);
  return listener;
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** OIDC_ISSUER_URL with OIDC_AUDIENCE (both or neither): an https issuer, http only on loopback (tests, development). */
function oidc(env: NodeJS.ProcessEnv): Config['oidc'] {
  const issuer = env.OIDC_ISSUER_URL ?? '';
  const audience = env.OIDC_AUDIENCE ?? '';
  if (issuer === '' && audience === '') return undefined;
  if (issuer === '' || audience === '') throw new ConfigError('OIDC_ISSUER_URL and OIDC_AUDIENCE go together: set both or neither');
  let parsed: URL | undefined;
  try {
    parsed = new URL(issuer);
  } catch {
    parsed = undefined;
  }
  const secure = parsed?.protocol === 'https:' || (parsed?.protocol === 'http:' && LOOPBACK_HOSTS.includes(parsed.hostname));
  if (!parsed || !secure || parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw new ConfigError(`OIDC_ISSUER_URL must be the provider's https issuer (http only on loopback), without query or fragment; got "${issuer}"`);
  }
  return {
    issuer,
    audience,
    clockSkewSeconds: integer(env, 'OIDC_CLOCK_SKEW_SECONDS', 60, 0, 300),
    jwksCooldownSeconds: integer(env, 'OIDC_JWKS_COOLDOWN_SECONDS', 30, 0, 3600),
  };
}

/**
 * The `acr` that shows a multi-factor authentication by default: OpenID PAPE's multi-factor
 * policy, which several providers issue; set OIDC_STEP_UP_ACR to the provider's own otherwise
 * (a Keycloak level's name, for example).
 */
const DEFAULT_STEP_UP_ACR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

/** OIDC_STEP_UP_ACR: one `acr` value, printable ASCII without spaces, quotes or backslashes (it goes into a WWW-Authenticate challenge as is). */
function stepUpAcr(raw: string | undefined): string {
  if (raw === undefined || raw === '') return DEFAULT_STEP_UP_ACR;
  if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,200}$/.test(raw)) {
    throw new ConfigError(`OIDC_STEP_UP_ACR must be one acr value (printable ASCII, no space, quote or backslash, at most 200 characters); got "${raw}"`);
  }
  return raw;
}

/** The WEBHOOK_* variables; an attempt's timeout stays below the shutdown grace, so a delivery in flight finishes before the process exits. */
function webhookSettings(env: NodeJS.ProcessEnv): WebhookSettings {
  const graceMs = integer(env, 'SHUTDOWN_GRACE_SECONDS', 25, 1, 300) * 1000;
  const settings: WebhookSettings = {
    allowLoopbackHttp: boolean(env, 'WEBHOOK_ALLOW_LOOPBACK_HTTP', false),
    // By default at most half the shutdown grace, so that a short grace needs no second setting.
    timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', Math.max(100, Math.min(10_000, graceMs / 2)), 100, 60_000),
    maxInFlightPerEndpoint: integer(env, 'WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT', 4, 1, 50),
    retryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 30_000, 10, 3_600_000),
    maxAttempts: integer(env, 'WEBHOOK_MAX_ATTEMPTS', 17, 1, 50),
    circuitThreshold: integer(env, 'WEBHOOK_CIRCUIT_THRESHOLD', 5, 1, 100),
    circuitOpenMs: integer(env, 'WEBHOOK_CIRCUIT_OPEN_MS', 60_000, 10, 3_600_000),
    pollIntervalMs: integer(env, 'WEBHOOK_POLL_INTERVAL_MS', 1000, 10, 60_000),
    leaseMarginMs: integer(env, 'WEBHOOK_LEASE_MARGIN_MS', 30_000, 100, 600_000),
    logRetentionDays: integer(env, 'WEBHOOK_LOG_RETENTION_DAYS', 30, 1, 3650),
  };
  if (settings.timeoutMs >= graceMs)
    throw new ConfigError(`WEBHOOK_TIMEOUT_MS (${settings.timeoutMs}) must be below SHUTDOWN_GRACE_SECONDS (${graceMs / 1000} s)`);
  return settings;
}

/** CYNOD_MODE: live or sandbox. */
function deploymentMode(raw: string | undefined): DeploymentMode {
  if (raw === undefined || raw === '' || raw === 'live') return 'live';
  if (raw === 'sandbox') return 'sandbox';
  throw new ConfigError(`CYNOD_MODE must be live or sandbox, got "${raw}"`);
}

/** Reads and checks the configuration; throws ConfigError naming the faulty variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const host = env.HOST || '127.0.0.1';
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const tls = tlsFiles(env);
  return {
    mode: deploymentMode(env.CYNOD_MODE),
    host,
    port,
    internalListener: internalListener(env, host, port),
    databaseUrl,
    dataDir: resolve(env.DATA_DIR || '.data'),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
    databaseTimeouts: {
      statementTimeoutMs: integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 15_000, 0, 3_600_000),
      lockTimeoutMs: integer(env, 'DATABASE_LOCK_TIMEOUT_MS', 5_000, 0, 3_600_000),
      idleInTransactionTimeoutMs: integer(env, 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', 30_000, 0, 3_600_000),
    },
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', 3600, 60, 86400),
    idempotencyRetentionHours: integer(env, 'IDEMPOTENCY_KEY_RETENTION_HOURS', 24, 24, 8760),
    partnerHoldMaxSeconds: integer(env, 'PARTNER_HOLD_MAX_SECONDS', 1800, 60, 86400),
    shutdownGraceSeconds: integer(env, 'SHUTDOWN_GRACE_SECONDS', 25, 1, 300),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 100 * 1024, 1024, 10 * 1024 * 1024),
    logLevel,
    validateResponses: boolean(env, 'VALIDATE_RESPONSES', true),
    demoData: boolean(env, 'DEMO_DATA', databaseUrl === undefined),
    cardHashKey: key(env, 'CARD_HASH_KEY'),
    cardEncryptionKey: key(env, 'CARD_ENCRYPTION_KEY'),
    cardIin: cardIin(env.CARD_IIN),
    tls,
    allowInsecureHttp: boolean(env, 'ALLOW_INSECURE_HTTP', false),
    corsOrigins: corsOrigins(env.CORS_ORIGINS),
    publicBaseUrl: publicBaseUrl(env.PUBLIC_BASE_URL, host, port, tls !== undefined),
    maxHeaderBytes: integer(env, 'MAX_HEADER_BYTES', 16 * 1024, 1024, 64 * 1024),
    trustProxy: trustProxy(env.TRUST_PROXY),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1200, 0, 1_000_000_000),
    tokenRateLimitPerMinute: integer(env, 'TOKEN_RATE_LIMIT_PER_MINUTE', 60, 0, 1_000_000_000),
    authFailureLimit: integer(env, 'AUTH_FAILURE_LIMIT', 10, 2, 1_000_000_000),
    authFailureWindowSeconds: integer(env, 'AUTH_FAILURE_WINDOW_SECONDS', 900, 60, 86_400),
    oidc: oidc(env),
    operatorStepUpAcr: stepUpAcr(env.OIDC_STEP_UP_ACR),
    webhooks: webhookSettings(env),
  };
}
