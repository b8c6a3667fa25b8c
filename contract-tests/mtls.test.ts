/**
 * Partners with mutual TLS (RFC 8705, self-signed certificate method) over real TLS: the
 * issuer requires a partner's client certificate through PATCH /core/v1/partners/{id}
 * (certificateThumbprints), the token endpoint then refuses the partner without that
 * certificate, binds its tokens to it (cnf.x5t#S256 in introspection), and a bound token is
 * refused on a connection without its certificate. The server's and the partners'
 * certificates are self-signed, made for the test by openssl; thumbprints are computed here
 * from the PEM with node:crypto, as a partner would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './support/server';
import { oauthScopes } from '../generated/operations';
import { runCli } from '../src/cli/commands';
import { selfSignedCertificate, type CertificatePair } from './support/certificates';

interface Reply {
  status: number;
  /** Whether the TLS session was resumed (an abbreviated handshake, no certificate sent again). */
  resumed: boolean;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- decoded JSON under test
}

type Pair = CertificatePair;

let dir: string;
let serverPair: Pair;
let certA: Pair;
let certB: Pair;
let server: TestServer;
let admin: string;
let administrator: { id: string; key: string; secret: string };

const makePair = (name: string): Pair => selfSignedCertificate(dir, name);

interface Call {
  method?: string;
  headers?: Record<string, string>;
  form?: Record<string, string>;
  json?: unknown;
  /** The client certificate presented in the handshake, if any. */
  client?: Pair;
  /** An agent of the caller's (TLS sessions kept for resumption); default none, a fresh connection. */
  agent?: Agent;
}

/** One request on a fresh TLS connection, trusting the test server's certificate. */
function send(path: string, call: Call = {}): Promise<Reply> {
  const body = call.form ? new URLSearchParams(call.form).toString() : call.json !== undefined ? JSON.stringify(call.json) : undefined;
  const headers: Record<string, string> = { ...call.headers };
  if (call.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (call.json !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      new URL(path, server.url),
      {
        method: call.method ?? (body ? 'POST' : 'GET'),
        headers,
        agent: call.agent ?? false,
        ca: serverPair.cert,
        cert: call.client?.cert,
        key: call.client?.key,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            resumed: (res.socket as TLSSocket).isSessionReused(),
            headers: res.headers,
            body: text ? JSON.parse(text) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const basic = (key: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}` });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A token by client credentials with HTTP Basic, presenting `client` in the handshake. */
const tokenRequest = (partner: { key: string; secret: string }, client?: Pair) =>
  send('/oauth/token', { headers: basic(partner.key, partner.secret), form: { grant_type: 'client_credentials' }, client });

async function tokenOf(partner: { key: string; secret: string }, client?: Pair): Promise<string> {
  const reply = await tokenRequest(partner, client);
  expect(reply.status).toBe(200);
  return reply.body.access_token as string;
}

/** The issuer's administrator sets the partner's certificates; the answer. */
const requireCertificates = (partnerId: string, thumbprints: string[], token = admin) =>
  send(`/core/v1/partners/${partnerId}`, { method: 'PATCH', headers: bearer(token), json: { certificateThumbprints: thumbprints } });

const introspect = (token: string) => send('/oauth/introspect', { headers: basic(administrator.key, administrator.secret), form: { token } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cynod-mtls-'));
  serverPair = makePair('localhost');
  certA = makePair('partner-a');
  certB = makePair('partner-b');
  server = await startTestServer({ server: { tls: { cert: serverPair.cert, key: serverPair.key } } });
  administrator = await server.partner({ name: 'Back-office CYNOD', scopes: Object.keys(oauthScopes), internal: true });
  admin = await tokenOf(administrator);
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('when the issuer requires a partner to present its client certificate', () => {
  let partner: { id: string; key: string; secret: string };
  let boundToken: string;

  beforeAll(async () => {
    partner = await server.partner({ name: 'Banque mTLS', basicAllowed: true });
    const reply = await requireCertificates(partner.id, [certA.thumbprint]);
    expect(reply.status).toBe(200);
    expect(reply.body.data.certificateThumbprints).toEqual([certA.thumbprint]);
  });

  it('then the change is in the audit trail, with the thumbprints before and after', async () => {
    const [event] = await server.database.db.query<{ before: { certificateThumbprints: string[] }; after: { certificateThumbprints: string[] } }>(
      `SELECT before, after FROM audit_events WHERE action = 'partner.updated' AND resource_id = $1`,
      [partner.id],
    );
    expect(event.before.certificateThumbprints).toEqual([]);
    expect(event.after.certificateThumbprints).toEqual([certA.thumbprint]);
  });

  it('then a token request without a client certificate is refused: 401 invalid_client after Basic, 400 after form credentials (code 4187)', async () => {
    const viaBasic = await tokenRequest(partner);
    expect(viaBasic.status).toBe(401);
    expect(viaBasic.body).toMatchObject({ error: 'invalid_client', code: '4187', success: false });
    expect(viaBasic.headers['www-authenticate']).toMatch(/^Basic /);
    const viaBody = await send('/oauth/token', { form: { grant_type: 'client_credentials', client_id: partner.key, client_secret: partner.secret } });
    expect(viaBody.status).toBe(400);
    expect(viaBody.body).toMatchObject({ error: 'invalid_client', code: '4187' });
  });

  it('then a token request with another certificate is refused (401 invalid_client, code 4188) and recorded', async () => {
    const reply = await tokenRequest(partner, certB);
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ error: 'invalid_client', code: '4188' });
    expect(reply.body.debugMessage).toContain(certB.thumbprint);
    const reasons = await server.database.db.query<{ reason: string }>(`SELECT reason FROM security_events WHERE partner_id = $1 AND type = 'auth.failed'`, [
      partner.id,
    ]);
    expect(reasons.map((row) => row.reason)).toEqual(expect.arrayContaining(['certificate-missing', 'certificate-not-registered']));
  });

  it('then with its certificate it gets a token bound to it (cnf.x5t#S256 in introspection)', async () => {
    boundToken = await tokenOf(partner, certA);
    const reply = await introspect(boundToken);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ active: true, sub: partner.id, cnf: { 'x5t#S256': certA.thumbprint } });
  });

  it('then the bound token is refused without a certificate and with another (401 invalid_token, code 4189), accepted with its own', async () => {
    for (const client of [undefined, certB]) {
      const reply = await send('/partner/v1/me', { headers: bearer(boundToken), client });
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ success: false, code: '4189' });
      expect(reply.headers['www-authenticate']).toMatch(/^Bearer realm="cynod", error="invalid_token"/);
    }
    const accepted = await send('/partner/v1/me', { headers: bearer(boundToken), client: certA });
    expect(accepted.status).toBe(200);
    expect(accepted.body.data.partnerId).toBe(partner.id);
  });

  it('then the bound token is still accepted on a resumed TLS session, where the certificate is not sent again', async () => {
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const agent = new Agent({ keepAlive: false, maxCachedSessions: 4, ca: serverPair.cert, cert: certA.cert, key: certA.key, maxVersion });
      try {
        const first = await send('/partner/v1/me', { headers: bearer(boundToken), client: certA, agent });
        const resumed = await send('/partner/v1/me', { headers: bearer(boundToken), client: certA, agent });
        expect([first.status, first.resumed]).toEqual([200, false]);
        expect([resumed.status, resumed.resumed]).toEqual([200, true]);
      } finally {
        agent.destroy();
      }
    }
  });

  it('then its HTTP Basic calls also demand the certificate', async () => {
    const without = await send('/partner/v1/me', { headers: basic(partner.key, partner.secret) });
    expect(without.status).toBe(401);
    expect(without.body).toMatchObject({ success: false, code: '4187' });
    const other = await send('/partner/v1/me', { headers: basic(partner.key, partner.secret), client: certB });
    expect(other.status).toBe(401);
    expect(other.body.code).toBe('4188');
    const withIt = await send('/partner/v1/me', { headers: basic(partner.key, partner.secret), client: certA });
    expect(withIt.status).toBe(200);
    expect(withIt.body.data).toMatchObject({ partnerId: partner.id, authMethod: 'basic' });
  });

  it('then during a rotation both certificates work, and a token bound to a certificate taken off the list is refused even with it', async () => {
    expect((await requireCertificates(partner.id, [certA.thumbprint, certB.thumbprint])).status).toBe(200);
    const tokenB = await tokenOf(partner, certB);
    expect((await send('/partner/v1/me', { headers: bearer(tokenB), client: certB })).status).toBe(200);
    expect((await send('/partner/v1/me', { headers: bearer(tokenB), client: certA })).body.code).toBe('4189');
    expect((await requireCertificates(partner.id, [certB.thumbprint])).status).toBe(200);
    const old = await send('/partner/v1/me', { headers: bearer(boundToken), client: certA });
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('4189');
    expect((await tokenRequest(partner, certA)).body.code).toBe('4188');
  });
});

describe('when a partner is created required to present its certificate', () => {
  it('then through the Core API its first token request already needs it', async () => {
    const created = await send('/core/v1/partners', {
      headers: bearer(admin),
      json: { name: 'Banque créée en mTLS', scopes: ['partner:profile.read'], certificateThumbprints: [certB.thumbprint] },
    });
    expect(created.status).toBe(200);
    expect(created.body.data.certificateThumbprints).toEqual([certB.thumbprint]);
    const partner = { key: created.body.data.consumerKey as string, secret: created.body.data.consumerSecret as string };
    expect((await tokenRequest(partner)).body.code).toBe('4187');
    expect((await introspect(await tokenOf(partner, certB))).body.cnf).toEqual({ 'x5t#S256': certB.thumbprint });
  });

  it("then through the CLI (--certificate <file.pem>) the thumbprint registered is the certificate's", async () => {
    const lines: string[] = [];
    const settings = { authFailureLimit: 10, authFailureWindowSeconds: 900 };
    await runCli(
      ['partner', 'create', '--name', 'Banque CLI', '--scopes', 'partner:profile.read', '--certificate', join(dir, 'partner-a.pem')],
      server.database.db,
      (line) => lines.push(line),
      settings,
    );
    expect(lines).toContain(`certificate:     x5t#S256 ${certA.thumbprint} (mutual TLS required)`);
    const key = lines.find((line) => line.startsWith('consumer-key:'))!.split(/\s+/)[1];
    const secret = lines.find((line) => line.startsWith('consumer-secret:'))!.split(/\s+/)[1];
    expect((await tokenRequest({ key, secret })).body.code).toBe('4187');
    expect((await tokenRequest({ key, secret }, certA)).status).toBe(200);
    await expect(
      runCli(
        ['partner', 'create', '--name', 'X', '--scopes', 'partner:profile.read', '--certificate', join(dir, 'none.pem')],
        server.database.db,
        () => {},
        settings,
      ),
    ).rejects.toThrow(/--certificate .*none\.pem: not a readable PEM certificate/);
  });
});

describe('when TLS ends before the server (plain HTTP behind a trusted proxy)', () => {
  it('then a required partner is refused whatever certificate header the proxy forwards (4187)', async () => {
    const plain = await startTestServer({ database: server.database, config: { trustProxy: ['loopback'] } });
    try {
      const partner = await server.partner({ name: 'Banque derrière un proxy' });
      expect((await requireCertificates(partner.id, [certA.thumbprint])).status).toBe(200);
      const pem = certA.cert.toString('utf8');
      const headers = {
        ...basic(partner.key, partner.secret),
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-proto': 'https',
        'x-ssl-client-cert': encodeURIComponent(pem),
        'x-forwarded-client-cert': `Hash=${certA.thumbprint};Cert="${encodeURIComponent(pem)}"`,
        'ssl-client-cert': pem.replace(/\n/g, ' '),
      };
      const reply = await new Promise<Pick<Reply, 'status' | 'body'>>((resolve, reject) => {
        const req = httpRequest(new URL('/oauth/token', plain.url), { method: 'POST', headers, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        });
        req.on('error', reject);
        req.end('grant_type=client_credentials');
      });
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ error: 'invalid_client', code: '4187' });
    } finally {
      await plain.stop();
    }
  });
});

describe('when a partner with a token is then required to present a certificate', () => {
  it('then its token issued before, bound to nothing, is refused without a registered certificate', async () => {
    const partner = await server.partner({ name: 'Opérateur mobile' });
    const unbound = await tokenOf(partner);
    expect((await requireCertificates(partner.id, [certA.thumbprint])).status).toBe(200);
    const refused = await send('/partner/v1/me', { headers: bearer(unbound) });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('4189');
    expect((await send('/partner/v1/me', { headers: bearer(unbound), client: certA })).status).toBe(200);
  });
});

describe('when a partner is not required to present a certificate', () => {
  it('then it works unchanged, with or without one, and its tokens are bound to nothing', async () => {
    const partner = await server.partner({ name: 'Application de flotte' });
    for (const client of [undefined, certA]) {
      const token = await tokenOf(partner, client);
      expect((await send('/partner/v1/me', { headers: bearer(token) })).status).toBe(200);
      expect((await send('/partner/v1/me', { headers: bearer(token), client: certB })).status).toBe(200);
      const introspection = await introspect(token);
      expect(introspection.body.active).toBe(true);
      expect(introspection.body).not.toHaveProperty('cnf');
    }
  });
});

describe('when a partner tries to set the certificates of itself or of a partner in its own line', () => {
  it('then it is refused (403, code 4100) and nothing changes', async () => {
    const self = await server.partner({ name: 'Administrateur délégué', scopes: ['core:partners.read', 'core:partners.write', 'partner:profile.read'] });
    const selfToken = await tokenOf(self);
    const own = await requireCertificates(self.id, [certA.thumbprint], selfToken);
    expect(own.status).toBe(403);
    expect(own.body.code).toBe('4100');
    const created = await send('/core/v1/partners', {
      headers: bearer(selfToken),
      json: { name: 'Créé par le délégué', scopes: ['partner:profile.read'] },
    });
    expect(created.status).toBe(200);
    const inLine = await requireCertificates(created.body.data.id, [certA.thumbprint], selfToken);
    expect(inLine.status).toBe(403);
    expect(inLine.body.code).toBe('4100');
    const after = await send(`/core/v1/partners/${created.body.data.id}`, { headers: bearer(admin) });
    expect(after.body.data.certificateThumbprints).toEqual([]);
  });

  it('then a malformed thumbprint or the same one twice is refused with the validation envelope', async () => {
    const partner = await server.partner({ name: 'Partenaire mal saisi' });
    for (const thumbprints of [['not-a-thumbprint'], [certA.thumbprint, certA.thumbprint]]) {
      const reply = await requireCertificates(partner.id, thumbprints);
      expect(reply.status).toBe(400);
      expect(reply.body.success).toBe(false);
    }
  });
});
