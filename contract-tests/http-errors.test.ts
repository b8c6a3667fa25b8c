/** The error mapper over real HTTP: unknown routes, methods, bad input, unexpected failures. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handlers } from '../src/handlers';
import { servedContract } from '../src/http/contract-answers';
import { expectDocumented } from './support/contract';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
const published = {
  json: readFileSync(join(__dirname, '../generated/openapi.json'), 'utf8'),
  yaml: readFileSync(join(__dirname, '../generated/openapi.yaml'), 'utf8'),
};
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('when a route or method does not exist', () => {
  it('then an unknown route is 404 with code 3001', async () => {
    const answer = await call(`${server.url}/partner/v1/nothing-here`);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ success: false, code: '3001', moreInfo: '/docs#error-3001' });
    expect(answer.body.requestId).toEqual(expect.any(String));
  });

  it('then a wrong method is 405 with an Allow header', async () => {
    const answer = await call(`${server.url}/partner/v1/me`, { method: 'DELETE' });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, HEAD');
    expect(answer.body.code).toBe('2005');
  });
});

describe('when the request is malformed', () => {
  it('then an undocumented query parameter is 400 with the field errors', async () => {
    const answer = await call(`${server.url}/health?verbose=1`);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: '2001', errors: [{ path: '/query/verbose' }] });
    expectDocumented('getHealth', 400, answer.body);
  });

  it('then malformed JSON is 400 with code 2002 and an oversized body 413 with code 2004', async () => {
    const headers = { 'content-type': 'application/json' };
    const malformed = await call(`${server.url}/health`, { method: 'POST', headers, body: '{"a":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ success: false, code: '2002' });
    const oversized = await call(`${server.url}/health`, { method: 'POST', headers, body: JSON.stringify({ pad: 'x'.repeat(64 * 1024) }) });
    expect(oversized.status).toBe(413);
    expect(oversized.body.code).toBe('2004');
  });

  it('then an invalid X-Request-Id is replaced by one of the server', async () => {
    const answer = await call(`${server.url}/health`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(answer.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
  });
});

describe('when a handler fails unexpectedly', () => {
  it('then the answer is 500 with code 9999 and nothing about the failure', async () => {
    const faulty = await startTestServer({
      handlers: {
        ...handlers,
        getHealth: async () => {
          throw new Error('relation "secret_table" does not exist at /srv/cynod/src/x.ts:12');
        },
      },
    });
    try {
      const answer = await call(`${faulty.url}/health`);
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        success: false,
        code: '9999',
        message: 'Erreur système, veuillez réessayer plus tard',
        debugMessage: 'Unexpected error; quote the requestId to support',
        requestId: answer.headers.get('x-request-id'),
      });
      expect(answer.text).not.toMatch(/secret_table|\/srv|\.ts/);
    } finally {
      await faulty.stop();
    }
  });

  it('then a handler answering outside the contract is a 500, not an undocumented body', async () => {
    const faulty = await startTestServer({
      handlers: { ...handlers, getHealth: async () => ({ status: 'degraded' }) as never },
    });
    try {
      const answer = await call(`${faulty.url}/health`);
      expect(answer.status).toBe(500);
      expect(answer.body.code).toBe('9999');
      expect(answer.text).not.toContain('degraded');
    } finally {
      await faulty.stop();
    }
  });
});

describe('when a partner downloads the contract', () => {
  it('then /openapi.json and /openapi.yaml are the published bundle naming no other server than the one serving it (getOpenApiJson, getOpenApiYaml)', async () => {
    const json = await call(`${server.url}/openapi.json`);
    const yaml = await call(`${server.url}/openapi.yaml`);
    expect(json.text).toBe(servedContract(published, undefined).json);
    expect(yaml.text).toBe(servedContract(published, undefined).yaml);
    // A test server listens on a port the system chose: it names "/", relative to where the contract was fetched.
    expect((json.body as { servers: unknown }).servers).toEqual([{ url: '/', description: 'The server this contract is served from' }]);
    expect(yaml.text).toContain('servers:\n  - url: "/"\n');
    expect({ ...(json.body as object), servers: undefined }).toEqual({ ...(JSON.parse(published.json) as object), servers: undefined });
    expect(yaml.headers.get('content-type')).toMatch(/^application\/yaml/);
  });

  it('when the server has a public address, then the contract names it as its server (what Postman and Insomnia import)', async () => {
    const named = await startTestServer({ config: { publicBaseUrl: 'https://api.cynod.example/v' } });
    try {
      const json = await call(`${named.url}/openapi.json`);
      expect((json.body as { servers: unknown }).servers).toEqual([{ url: 'https://api.cynod.example/v', description: 'This server' }]);
      expect((await call(`${named.url}/openapi.yaml`)).text).toContain('servers:\n  - url: "https://api.cynod.example/v"\n    description: This server\n');
    } finally {
      await named.stop();
    }
  });

  it('then health and readiness answer the success envelope', async () => {
    const health = await server.sdk().system.getHealth();
    const ready = await server.sdk().system.getReady();
    expect(health.data.status).toBe('ok');
    expect(ready.data).toEqual({ status: 'ready', database: 'up' });
  });
});

describe('what an answer says of its language and its code', () => {
  it('when a client asks in English or not at all, then Content-Language says which and Vary names Accept-Language, on successes, refusals and /oauth', async () => {
    for (const [acceptLanguage, language, message] of [
      ['en', 'en', 'Resource not found'],
      [undefined, 'fr', 'Ressource introuvable'],
      ['de, en;q=0.5', 'en', 'Resource not found'],
    ] as const) {
      const headers: Record<string, string> = acceptLanguage ? { 'accept-language': acceptLanguage } : {};
      const missing = await call(`${server.url}/partner/v1/nothing-here`, { headers });
      expect([missing.headers.get('content-language'), missing.body.message]).toEqual([language, message]);
      expect(missing.headers.get('vary')).toMatch(/Accept-Language/i);
      const health = await call(`${server.url}/health`, { headers });
      expect(health.headers.get('content-language')).toBe(language);
      expect(health.headers.get('vary')).toMatch(/Accept-Language/i);
      const token = await call(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(token.status).toBeGreaterThanOrEqual(400);
      expect(token.headers.get('content-language')).toBe(language);
    }
  });

  it("when a request is refused, then moreInfo links the code's entry in the error annex of /docs, which the page has", async () => {
    const refused = await call(`${server.url}/health?verbose=1`);
    expect(refused.body.moreInfo).toBe('/docs#error-2001');
    const token = await call(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(token.body.moreInfo).toBe(`/docs#error-${String(token.body.code)}`);
    const page = await (await fetch(`${server.url}/docs`)).text();
    for (const code of ['2001', String(token.body.code)]) expect(page).toMatch(new RegExp(`id=\\\\?"error-${code}\\\\?"`));
  });
});
