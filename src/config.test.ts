import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, readConfig } from './config';

describe('readConfig', () => {
  it('when nothing is set, then it listens on 127.0.0.1:8080 on the embedded database with demo data', () => {
    const config = readConfig({});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8080, databaseUrl: undefined, tokenTtlSeconds: 3600, demoData: true, validateResponses: true });
    expect(config.dataDir).toMatch(/\.data$/);
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
    execFileSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
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
    expect(readConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:3000' }).corsOrigins).toEqual(['https://app.example.com', 'http://localhost:3000']);
  });

  it.each([
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

  it.each(['true', '0', '1', '11', 'proxy.example.com', '10.0.0.1/8', 'loopback,,10.0.0.0/8'])('when TRUST_PROXY is %s, then it refuses to start and names the variable', (raw) => {
    expect(() => readConfig({ TRUST_PROXY: raw })).toThrow('TRUST_PROXY');
  });
});
