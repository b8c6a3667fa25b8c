/**
 * Transport security over real sockets: native TLS (1.2 and 1.3 only), HSTS on secure requests
 * only, plain HTTP refused (403 HTTPS_REQUIRED) for non-loopback clients, X-Forwarded-* honoured
 * only from a trusted proxy, probes exempt, helmet headers, CORS off unless configured, and
 * the request-head size limit (431). The certificate is made for the test by openssl.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as createTlsServer, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from './support/server';
import { selfSignedCertificate } from './support/certificates';

const HSTS = 'max-age=31536000; includeSubDomains';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- decoded JSON under test
  /** TLS version of the connection, for https. */
  protocol?: string | null;
}

interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  tls?: ConnectionOptions;
}

/** One request on a fresh connection (no agent), with node's http or https client. */
function send(url: string, options: CallOptions = {}): Promise<Reply> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const requestOptions = { method: options.method ?? 'GET', headers: options.headers, agent: false as const, ...(secure ? options.tls : {}) };
    const req = (secure ? httpsRequest : httpRequest)(target, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, protocol: secure ? (res.socket as TLSSocket).getProtocol() : undefined });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a TLS connection and returns the negotiated version (or rejects with the handshake error). */
function handshake(port: number, options: ConnectionOptions): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ...options }, () => {
      const protocol = socket.getProtocol();
      socket.end();
      resolve(protocol);
    });
    socket.on('error', reject);
  });
}

let dir: string;
let cert: Buffer;
let key: Buffer;
const servers: TestServer[] = [];
const start = async (options: Parameters<typeof startTestServer>[0]) => {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cynod-https-'));
  ({ cert, key } = selfSignedCertificate(dir, 'localhost'));
});
afterAll(async () => {
  for (const server of servers) await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function expectHelmetHeaders(reply: Reply): void {
  expect(reply.headers['x-content-type-options']).toBe('nosniff');
  expect(reply.headers['x-frame-options']).toBe('DENY');
  expect(reply.headers['referrer-policy']).toBe('no-referrer');
  expect(reply.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(reply.headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(reply.headers['x-powered-by']).toBeUndefined();
}

describe('when the server has a certificate (native TLS)', () => {
  let server: TestServer;
  let port: number;
  beforeAll(async () => {
    server = await start({ server: { tls: { cert, key } } });
    port = Number(new URL(server.url).port);
  });

  it('then its URL is https and TLS 1.2 and TLS 1.3 clients get answers with HSTS', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      const reply = await send(`${server.url}/partner/v1/me`, { tls: { ca: cert, minVersion: version, maxVersion: version } });
      expect(reply.protocol).toBe(version);
      expect(reply.status).toBe(401);
      expect(reply.body.code).toBe('1001');
      expect(reply.headers['strict-transport-security']).toBe(HSTS);
      expectHelmetHeaders(reply);
    }
    const health = await send(`${server.url}/health`, { tls: { ca: cert } });
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toBe(HSTS);
  });

  it('then a client limited to TLS 1.1 is refused at the handshake', async () => {
    const legacy: ConnectionOptions = { ca: cert, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' };
    // The same client does complete TLS 1.1 with a server that allows it...
    const permissive = createTlsServer({ cert, key, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, (socket) => socket.end());
    await new Promise<void>((resolve) => permissive.listen(0, '127.0.0.1', resolve));
    try {
      await expect(handshake((permissive.address() as AddressInfo).port, legacy)).resolves.toBe('TLSv1.1');
    } finally {
      permissive.close();
    }
    // ...but not with the API.
    await expect(handshake(port, legacy)).rejects.toMatchObject({ code: expect.stringMatching(/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS/) });
    await expect(handshake(port, { ca: cert, minVersion: 'TLSv1.2' })).resolves.toMatch(/^TLSv1\.[23]$/);
  });

  it('then plain HTTP on the TLS port gets no answer', async () => {
    await expect(send(`http://127.0.0.1:${port}/health`)).rejects.toBeDefined();
  });

  it('then a request head larger than the default 16 KiB is answered 431', async () => {
    const reply = await send(`${server.url}/health`, { tls: { ca: cert }, headers: { 'x-pad': 'a'.repeat(20 * 1024) } });
    expect(reply.status).toBe(431);
  });
});

describe('when a client calls over plain HTTP on loopback', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await start({ server: { maxHeaderSize: 4096 } });
  });

  it('then it is served without HSTS, with the security headers and no X-Powered-By', async () => {
    const reply = await send(`${server.url}/partner/v1/me`);
    expect(reply.status).toBe(401);
    expect(reply.headers['strict-transport-security']).toBeUndefined();
    expect(reply.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
    expectHelmetHeaders(reply);
  });

  it('then X-Forwarded-* from an untrusted proxy are ignored (no HSTS, no refusal)', async () => {
    const https = await send(`${server.url}/partner/v1/me`, { headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' } });
    expect(https.status).toBe(401);
    expect(https.headers['strict-transport-security']).toBeUndefined();
    const http = await send(`${server.url}/partner/v1/me`, { headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'http' } });
    expect(http.status).toBe(401);
    expect(http.body.code).toBe('1001');
  });

  it('then /docs gets a policy that allows its own inline scripts only', async () => {
    const reply = await send(`${server.url}/docs`);
    expect(reply.status).toBe(200);
    const policy = String(reply.headers['content-security-policy']);
    expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it('then CORS is off: no Access-Control-* header, and a preflight is not answered', async () => {
    const origin = { origin: 'https://app.example.com' };
    const reply = await send(`${server.url}/partner/v1/me`, { headers: origin });
    expect(Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    const preflight = await send(`${server.url}/partner/v1/me`, { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(405);
    expect(Object.keys(preflight.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('then a request head above MAX_HEADER_BYTES is answered 431 and one below is served', async () => {
    expect((await send(`${server.url}/health`, { headers: { 'x-pad': 'a'.repeat(3000) } })).status).toBe(200);
    expect((await send(`${server.url}/health`, { headers: { 'x-pad': 'a'.repeat(6000) } })).status).toBe(431);
  });
});

describe('when the server trusts the proxy on loopback (TRUST_PROXY=loopback)', () => {
  let server: TestServer;
  let insecureAllowed: TestServer;
  const viaProxy = (proto: string) => ({ 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': proto });
  beforeAll(async () => {
    server = await start({ config: { trustProxy: ['loopback'] } });
    insecureAllowed = await start({ config: { trustProxy: ['loopback'], allowInsecureHttp: true } });
  });

  it('then a remote client over plain HTTP is refused with 403 HTTPS_REQUIRED', async () => {
    for (const headers of [viaProxy('http'), { 'x-forwarded-for': '203.0.113.7' }]) {
      const reply = await send(`${server.url}/partner/v1/me`, { headers: { ...headers, 'accept-language': 'en' } });
      expect(reply.status).toBe(403);
      expect(reply.body).toEqual({
        success: false,
        code: '1013',
        message: 'HTTPS required',
        debugMessage: expect.any(String),
        moreInfo: '/docs#error-1013',
        requestId: reply.headers['x-request-id'],
      });
      expect(reply.headers['strict-transport-security']).toBeUndefined();
      expectHelmetHeaders(reply);
    }
    const token = await send(`${server.url}/oauth/token`, { method: 'POST', headers: viaProxy('http') });
    expect(token.status).toBe(403);
    expect(token.body).toMatchObject({ code: '1013', message: 'HTTPS obligatoire' });
  });

  it('then a remote client over HTTPS at the proxy passes and gets HSTS', async () => {
    const reply = await send(`${server.url}/partner/v1/me`, { headers: viaProxy('https') });
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('1001');
    expect(reply.headers['strict-transport-security']).toBe(HSTS);
  });

  it('then the load-balancer probes GET /health and GET /ready still work over plain HTTP', async () => {
    for (const path of ['/health', '/ready']) {
      const reply = await send(`${server.url}${path}`, { headers: viaProxy('http') });
      expect(reply.status).toBe(200);
      expect(reply.headers['strict-transport-security']).toBeUndefined();
    }
    expect((await send(`${server.url}/health`, { method: 'POST', headers: viaProxy('http') })).status).toBe(403);
  });

  it('then ALLOW_INSECURE_HTTP lets plain HTTP through (without HSTS)', async () => {
    const reply = await send(`${insecureAllowed.url}/partner/v1/me`, { headers: viaProxy('http') });
    expect(reply.status).toBe(401);
    expect(reply.body.code).toBe('1001');
    expect(reply.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('when CORS_ORIGINS names an origin', () => {
  const allowed = 'https://app.example.com';
  let server: TestServer;
  beforeAll(async () => {
    server = await start({ config: { corsOrigins: [allowed] } });
  });

  it('then answers to that origin carry CORS headers and answers to others none', async () => {
    const reply = await send(`${server.url}/partner/v1/me`, { headers: { origin: allowed } });
    expect(reply.status).toBe(401);
    expect(reply.headers['access-control-allow-origin']).toBe(allowed);
    expect(reply.headers['access-control-expose-headers']).toBe(
      'Cynod-Auth-Advice, Deprecation, Idempotent-Replayed, Link, Retry-After, Sunset, WWW-Authenticate, X-Request-Id',
    );
    expect(reply.headers['access-control-allow-credentials']).toBeUndefined();
    expect(reply.headers.vary).toMatch(/Origin/);
    const other = await send(`${server.url}/partner/v1/me`, { headers: { origin: 'https://evil.example.net' } });
    expect(Object.keys(other.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    expect(other.headers.vary).toMatch(/Origin/);
  });

  it('then a preflight from that origin is answered 204 and one from another origin is not granted', async () => {
    const ask = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' };
    const preflight = await send(`${server.url}/core/v1/clients`, { method: 'OPTIONS', headers: { origin: allowed, ...ask } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(allowed);
    expect(String(preflight.headers['access-control-allow-methods']).split(', ')).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(preflight.headers['access-control-allow-headers']).toBe('Authorization, Content-Type, X-Request-Id, Idempotency-Key');
    const refused = await send(`${server.url}/core/v1/clients`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.net', ...ask } });
    expect(refused.status).toBe(405);
    expect(Object.keys(refused.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });
});

const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
const describeLan = lanAddress ? describe : describe.skip;
if (!lanAddress) console.warn('https.test: no non-loopback IPv4 interface, the direct remote-client case is skipped');

describeLan(`when a client calls directly from a non-loopback address (${lanAddress})`, () => {
  let plain: TestServer;
  let secure: TestServer;
  beforeAll(async () => {
    plain = await start({ host: lanAddress });
    secure = await start({ host: lanAddress, server: { tls: { cert, key } } });
  });

  it('then plain HTTP is refused with 403 HTTPS_REQUIRED, probes excepted', async () => {
    const reply = await send(`${plain.url}/partner/v1/me`);
    expect(reply.status).toBe(403);
    expect(reply.body.code).toBe('1013');
    expect((await send(`${plain.url}/health`)).status).toBe(200);
  });

  it('then HTTPS passes and gets HSTS', async () => {
    const reply = await send(`${secure.url}/partner/v1/me`, { tls: { ca: cert, checkServerIdentity: () => undefined } });
    expect(reply.status).toBe(401);
    expect(reply.headers['strict-transport-security']).toBe(HSTS);
  });
});
