import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readConfig } from './config';

describe('readConfig', () => {
  it('when nothing is set, then it listens on 127.0.0.1:8080 on the embedded database with demo data', () => {
    const config = readConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, databaseUrl: undefined, tokenTtlSeconds: 3600, demoData: true, validateResponses: true });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('when OIDC_ISSUER_URL and OIDC_AUDIENCE are set, then operator tokens are checked against them; unset, none are accepted', () => {
    expect(readConfig({}).oidc).toBeUndefined();
    expect(readConfig({ OIDC_ISSUER_URL: 'https://login.example/realms/cynod', OIDC_AUDIENCE: 'cynod-core-api' }).oidc).toEqual({
      issuer: 'https://login.example/realms/cynod',
      audience: 'cynod-core-api',
      clockSkewSeconds: 60,
      jwksCooldownSeconds: 30,
    });
    expect(readConfig({ OIDC_ISSUER_URL: 'http://127.0.0.1:9000', OIDC_AUDIENCE: 'api', OIDC_CLOCK_SKEW_SECONDS: '0' }).oidc?.clockSkewSeconds).toBe(0);
  });

  it.each([
    [{ OIDC_ISSUER_URL: 'https://login.example' }, 'set both or neither'],
    [{ OIDC_AUDIENCE: 'api' }, 'set both or neither'],
    [{ OIDC_ISSUER_URL: 'http://login.example', OIDC_AUDIENCE: 'api' }, 'https issuer'],
    [{ OIDC_ISSUER_URL: 'https://login.example?x=1', OIDC_AUDIENCE: 'api' }, 'https issuer'],
    [{ OIDC_ISSUER_URL: 'https://login.example', OIDC_AUDIENCE: 'api', OIDC_CLOCK_SKEW_SECONDS: '301' }, 'OIDC_CLOCK_SKEW_SECONDS'],
  ])('when the OIDC settings are %j, then the configuration is refused (%s)', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });

  it("when OIDC_STEP_UP_ACR is unset, then step-up demands OpenID PAPE's multi-factor acr; set, the provider's own; a value a challenge cannot carry is refused", () => {
    expect(readConfig({}).operatorStepUpAcr).toBe('http://schemas.openid.net/pape/policies/2007/06/multi-factor');
    expect(readConfig({ OIDC_STEP_UP_ACR: 'gold' }).operatorStepUpAcr).toBe('gold');
    expect(readConfig({ OIDC_STEP_UP_ACR: 'urn:okta:loa:2fa:any' }).operatorStepUpAcr).toBe('urn:okta:loa:2fa:any');
    for (const wrong of ['two words', 'say "mfa"', 'back\\slash', 'é', 'x'.repeat(201)]) {
      expect(() => readConfig({ OIDC_STEP_UP_ACR: wrong })).toThrow(/OIDC_STEP_UP_ACR must be one acr value/);
    }
  });

  it('when CYNOD_MODE is unset, then the deployment is live; sandbox makes it a sandbox; anything else is refused', () => {
    expect(readConfig({}).mode).toBe('live');
    expect(readConfig({ CYNOD_MODE: 'sandbox' }).mode).toBe('sandbox');
    expect(() => readConfig({ CYNOD_MODE: 'test' })).toThrow(new ConfigError('CYNOD_MODE must be live or sandbox, got "test"'));
  });

  it('when INTERNAL_PORT is set, then an internal listener on INTERNAL_HOST (default 127.0.0.1); unset, none', () => {
    expect(readConfig({}).internalListener).toBeUndefined();
    expect(readConfig({ INTERNAL_PORT: '9090' }).internalListener).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(readConfig({ INTERNAL_PORT: '9090', INTERNAL_HOST: '10.0.0.5' }).internalListener).toEqual({ host: '10.0.0.5', port: 9090 });
  });

  it('when the internal listener is set wrongly, then it refuses to start and names the variable', () => {
    expect(() => readConfig({ INTERNAL_HOST: '10.0.0.5' })).toThrow(new ConfigError('INTERNAL_HOST needs INTERNAL_PORT'));
    expect(() => readConfig({ INTERNAL_PORT: '8080' })).toThrow(/INTERNAL_PORT must differ from PORT/);
    expect(() => readConfig({ INTERNAL_PORT: 'x' })).toThrow(/INTERNAL_PORT must be an integer/);
  });

  it('when no database timeout is set, then statements get 15 s, locks 5 s and idle transactions 30 s', () => {
    expect(readConfig({}).databaseTimeouts).toEqual({ statementTimeoutMs: 15_000, lockTimeoutMs: 5_000, idleInTransactionTimeoutMs: 30_000 });
  });

  it('when the database timeouts are set, then they are read in milliseconds and 0 is kept', () => {
    const config = readConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '2500', DATABASE_LOCK_TIMEOUT_MS: '0', DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '60000' });
    expect(config.databaseTimeouts).toEqual({ statementTimeoutMs: 2500, lockTimeoutMs: 0, idleInTransactionTimeoutMs: 60_000 });
  });

  it('when PARTNER_HOLD_MAX_SECONDS is unset, then a station holds a card at most 30 minutes; set, from 60 s to a day', () => {
    expect(readConfig({}).partnerHoldMaxSeconds).toBe(1800);
    expect(readConfig({ PARTNER_HOLD_MAX_SECONDS: '600' }).partnerHoldMaxSeconds).toBe(600);
    expect(() => readConfig({ PARTNER_HOLD_MAX_SECONDS: '30' })).toThrow(/PARTNER_HOLD_MAX_SECONDS must be an integer between 60 and 86400/);
  });

  it('when no WEBHOOK_ variable is set, then https targets only, 10 s attempts, 4 at once per endpoint, 17 attempts from 30 s (about 3 days), leases 30 s past the deadline, a 30-day log', () => {
    expect(readConfig({}).webhooks).toEqual({
      allowLoopbackHttp: false,
      timeoutMs: 10_000,
      maxInFlightPerEndpoint: 4,
      retryBaseMs: 30_000,
      maxAttempts: 17,
      circuitThreshold: 5,
      circuitOpenMs: 60_000,
      pollIntervalMs: 1000,
      leaseMarginMs: 30_000,
      logRetentionDays: 30,
    });
  });

  it('when WEBHOOK_ variables are set, then they are read within their bounds, and an attempt stays below the shutdown grace', () => {
    const webhooks = readConfig({
      WEBHOOK_ALLOW_LOOPBACK_HTTP: 'true',
      WEBHOOK_RETRY_BASE_MS: '20',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_LEASE_MARGIN_MS: '500',
      WEBHOOK_LOG_RETENTION_DAYS: '7',
    }).webhooks;
    expect(webhooks).toMatchObject({ allowLoopbackHttp: true, retryBaseMs: 20, maxAttempts: 3, leaseMarginMs: 500, logRetentionDays: 7 });
    expect(() => readConfig({ WEBHOOK_LOG_RETENTION_DAYS: '0' })).toThrow(/WEBHOOK_LOG_RETENTION_DAYS must be an integer between 1 and 3650/);
    expect(() => readConfig({ WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT: '0' })).toThrow(/WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT must be an integer between 1 and 50/);
    expect(() => readConfig({ WEBHOOK_ALLOW_LOOPBACK_HTTP: 'yes' })).toThrow(/WEBHOOK_ALLOW_LOOPBACK_HTTP must be true or false/);
    expect(() => readConfig({ WEBHOOK_TIMEOUT_MS: '30000', SHUTDOWN_GRACE_SECONDS: '20' })).toThrow(
      /WEBHOOK_TIMEOUT_MS \(30000\) must be below SHUTDOWN_GRACE_SECONDS \(20 s\)/,
    );
    // Unset, the timeout follows a short grace (half of it) instead of refusing to start.
    expect([readConfig({}).webhooks.timeoutMs, readConfig({ SHUTDOWN_GRACE_SECONDS: '1' }).webhooks.timeoutMs]).toEqual([10_000, 500]);
  });

  it('when DATABASE_URL is set, then demo data is off unless asked for', () => {
    expect(readConfig({ DATABASE_URL: 'postgres://x@h/db' }).demoData).toBe(false);
    expect(readConfig({ DATABASE_URL: 'postgres://x@h/db', DEMO_DATA: 'true' }).demoData).toBe(true);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['TOKEN_TTL_SECONDS', '10'],
    ['VALIDATE_RESPONSES', 'yes'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '-1'],
    ['DATABASE_LOCK_TIMEOUT_MS', '1.5'],
    ['DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', 'soon'],
  ])('when %s is %s, then it refuses to start and names the variable', (name, value) => {
    expect(() => readConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readConfig({ [name]: value })).toThrow(name);
  });
});

describe('readConfig: transport security', () => {
  let dir: string;
  let certFile: string;
  let keyFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cynod-config-tls-'));
    certFile = join(dir, 'cert.pem');
    keyFile = join(dir, 'key.pem');
    execFileSync(
      '/usr/bin/openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when nothing is set, then plain HTTP only from loopback, no CORS, 16 KiB of headers', () => {
    expect(readConfig({})).toMatchObject({ tls: undefined, allowInsecureHttp: false, corsOrigins: [], maxHeaderBytes: 16384 });
  });

  it('when TLS_CERT_FILE and TLS_KEY_FILE are set, then both files are read at start', () => {
    const config = readConfig({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile });
    expect(config.tls?.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(config.tls?.key.toString()).toContain('PRIVATE KEY');
  });

  it('when only one of the TLS files is set, then it refuses to start and names the missing one', () => {
    expect(() => readConfig({ TLS_CERT_FILE: certFile })).toThrow(ConfigError);
    expect(() => readConfig({ TLS_CERT_FILE: certFile })).toThrow('TLS_KEY_FILE');
    expect(() => readConfig({ TLS_KEY_FILE: keyFile })).toThrow('TLS_CERT_FILE');
  });

  it('when a TLS file cannot be read or is not PEM, then it refuses to start and names the variable', () => {
    expect(() => readConfig({ TLS_CERT_FILE: join(dir, 'missing.pem'), TLS_KEY_FILE: keyFile })).toThrow(/TLS_CERT_FILE cannot be read/);
    expect(() => readConfig({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: dir })).toThrow(/TLS_KEY_FILE cannot be read/);
    expect(() => readConfig({ TLS_CERT_FILE: keyFile, TLS_KEY_FILE: certFile })).toThrow(ConfigError);
    expect(() => readConfig({ TLS_CERT_FILE: keyFile, TLS_KEY_FILE: certFile })).toThrow('TLS_CERT_FILE');
  });

  it('when CORS_ORIGINS lists origins, then they are kept exactly', () => {
    expect(readConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:3000' }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
    ]);
  });

  it("when PUBLIC_BASE_URL is set, then the served contract names it; unset, the listener's own address, or none for a wildcard interface or a chosen port", () => {
    expect(readConfig({ PUBLIC_BASE_URL: 'https://api.cynod.example/' }).publicBaseUrl).toBe('https://api.cynod.example');
    expect(readConfig({ PORT: '8081' }).publicBaseUrl).toBe('http://127.0.0.1:8081');
    expect(readConfig({ HOST: '::1', PORT: '9000' }).publicBaseUrl).toBe('http://[::1]:9000');
    expect(readConfig({ HOST: '0.0.0.0' }).publicBaseUrl).toBeUndefined();
    expect(readConfig({ PORT: '0' }).publicBaseUrl).toBeUndefined();
  });

  it.each([
    ['PUBLIC_BASE_URL', 'api.cynod.example'],
    ['PUBLIC_BASE_URL', 'ftp://api.cynod.example'],
    ['PUBLIC_BASE_URL', 'https://api.cynod.example/?x=1'],
    ['ALLOW_INSECURE_HTTP', 'yes'],
    ['MAX_HEADER_BYTES', '512'],
    ['MAX_HEADER_BYTES', '70000'],
    ['MAX_HEADER_BYTES', 'big'],
    ['CORS_ORIGINS', '*'],
    ['CORS_ORIGINS', 'https://app.example.com/'],
    ['CORS_ORIGINS', 'https://app.example.com/path'],
    ['CORS_ORIGINS', 'app.example.com'],
    ['CORS_ORIGINS', 'https://app.example.com,,https://b.example.com'],
    ['CORS_ORIGINS', 'ftp://files.example.com'],
  ])('when %s is %s, then it refuses to start and names the variable', (name, value) => {
    expect(() => readConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readConfig({ [name]: value })).toThrow(name);
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    [undefined, false],
    ['false', false],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.0.2.10, uniquelocal', ['10.0.0.0/8', '192.0.2.10', 'uniquelocal']],
  ])('when TRUST_PROXY is %s, then express trusts %j', (raw, expected) => {
    expect(readConfig(raw === undefined ? {} : { TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });

  it.each(['true', '0', '1', '11', 'proxy.example.com', '10.0.0.1/8', 'loopback,,10.0.0.0/8'])(
    'when TRUST_PROXY is %s, then it refuses to start and names the variable',
    (raw) => {
      expect(() => readConfig({ TRUST_PROXY: raw })).toThrow('TRUST_PROXY');
    },
  );
});

describe('the configuration table (docs/operating.md, Configuration)', () => {
  const root = join(__dirname, '..');
  /** The variables config.ts reads: `env.NAME`, or a reader called with `(env, 'NAME', ...)` or `('NAME', ...)`. */
  const read = new Set(
    [...readFileSync(join(root, 'src/config.ts'), 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]+)|\((?:env, )?'([A-Z][A-Z0-9_]+)'/g)].map(
      (match) => match[1] ?? match[2],
    ),
  );
  /** The variables the table's rows name (first column; a row may name two, as TLS_CERT_FILE, TLS_KEY_FILE). */
  const documented = (() => {
    const page = readFileSync(join(root, 'docs/operating.md'), 'utf8');
    const section = page.slice(page.indexOf('## Configuration'), page.indexOf('\n## ', page.indexOf('## Configuration') + 1));
    const rows = section.split('\n').filter((line) => /^\| `[A-Z]/.test(line));
    return new Set(rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1])));
  })();

  it('when config.ts reads a variable, then the table documents it', () => {
    expect(read.size).toBeGreaterThan(20);
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('when the table documents a variable, then config.ts reads it', () => {
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
  });
});
