/**
 * Port authorisations: with an internal listener, the Core API and /metrics are served there
 * only; on the public listener they answer 404 exactly as an unknown path does, while the
 * partner API, OAuth and the system reads are served on both.
 */
import { expectDocumented } from './support/contract';
import { call, FORM } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let coreToken: string;
let partnerToken: string;
let publicUrl: string;
let internalUrl: string;

beforeAll(async () => {
  server = await startTestServer({ server: { internal: { host: '127.0.0.1', port: 0 } } });
  publicUrl = server.url;
  internalUrl = server.internalUrl!;
  coreToken = await server.coreToken();
  const partner = await server.partner({ scopes: ['partner:profile.read'] });
  partnerToken = await server.token(partner.key, partner.secret);
});
afterAll(() => server.stop());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** An answer without what differs from call to call (the request id, in the body and the header). */
function comparable(answer: { status: number; headers: Headers; body: Record<string, unknown> }) {
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!['x-request-id', 'date', 'content-length', 'etag'].includes(name)) headers[name] = value;
  });
  return { status: answer.status, body: { ...answer.body, requestId: undefined }, headers };
}

describe('with an internal listener', () => {
  it('when a Core path is called on the public listener, then it answers exactly as an unknown path (404 3001), with or without a token', async () => {
    expect(internalUrl).not.toBe(publicUrl);
    for (const [path, init] of [
      ['/core/v1/networks', { headers: bearer(coreToken) }],
      ['/core/v1/networks', {}],
      ['/core/v1/payments', { method: 'POST', headers: { ...bearer(coreToken), 'content-type': 'application/json', 'idempotency-key': 'k-1' }, body: '{}' }],
      ['/%63ore/v1/networks', { headers: bearer(coreToken) }],
      ['/metrics', { headers: bearer(coreToken) }],
    ] as const) {
      const hidden = await call(`${publicUrl}${path}`, init);
      const unknown = await call(`${publicUrl}/nowhere${path}`, init);
      expect([path, hidden.status, hidden.body.code]).toEqual([path, 404, '3001']);
      expect(hidden.body.debugMessage).toBe(`No operation at ${init.method ?? 'GET'} ${path}`);
      expect(comparable({ ...hidden, body: { ...hidden.body, debugMessage: undefined } })).toEqual(
        comparable({ ...unknown, body: { ...unknown.body, debugMessage: undefined } }),
      );
    }
  });

  it('when the partner API, OAuth and the system reads are called on the public listener, then they are served', async () => {
    const me = await call(`${publicUrl}/partner/v1/me`, { headers: bearer(partnerToken) });
    expect(me.status).toBe(200);
    expectDocumented('getPartnerMe', 200, me.body);
    // The tokens of beforeAll came from the public listener; without credentials, an RFC 6749 error, not a 404.
    const token = await call(`${publicUrl}/oauth/token`, { method: 'POST', headers: FORM, body: 'grant_type=client_credentials' });
    expect([token.status, token.body.error]).toEqual([400, 'invalid_client']);
    for (const path of ['/health', '/ready', '/openapi.json', '/openapi.yaml', '/docs'])
      expect([path, (await call(`${publicUrl}${path}`)).status]).toEqual([path, 200]);
  });

  it('when the Core API, /metrics and the rest are called on the internal listener, then they are served', async () => {
    const networks = await call(`${internalUrl}/core/v1/networks`, { headers: bearer(coreToken) });
    expect(networks.status).toBe(200);
    expectDocumented('listNetworks', 200, networks.body);
    const metrics = await call(`${internalUrl}/metrics`, { headers: bearer(coreToken) });
    expect([metrics.status, metrics.text]).toEqual([200, expect.stringContaining('# TYPE http_request_duration_seconds histogram')]);
    expect((await call(`${internalUrl}/metrics`)).status).toBe(401); // the scope is required here too
    expect((await call(`${internalUrl}/partner/v1/me`, { headers: bearer(partnerToken) })).status).toBe(200);
    expect((await call(`${internalUrl}/health`)).status).toBe(200);
  });
});

it('without an internal listener, then one listener serves the Core API and /metrics', async () => {
  const single = await startTestServer();
  try {
    expect(single.internalUrl).toBeUndefined();
    const token = await single.coreToken();
    expect((await call(`${single.url}/core/v1/networks`, { headers: bearer(token) })).status).toBe(200);
    expect((await call(`${single.url}/metrics`, { headers: bearer(token) })).status).toBe(200);
  } finally {
    await single.stop();
  }
});
