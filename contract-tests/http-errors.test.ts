/** The error mapper over real HTTP: unknown routes, methods, bad input, unexpected failures. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handlers } from '../src/handlers';
import { expectDocumented } from './support/contract';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('when a route or method does not exist', () => {
  it('then an unknown route is 404 with code 3001', async () => {
    const answer = await call(`${server.url}/partner/v1/nothing-here`);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ success: false, code: '3001', moreInfo: null });
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
  it('then /openapi.json and /openapi.yaml are the published bundle, byte for byte (getOpenApiJson, getOpenApiYaml)', async () => {
    const json = await call(`${server.url}/openapi.json`);
    const yaml = await call(`${server.url}/openapi.yaml`);
    expect(json.text).toBe(readFileSync(join(__dirname, '../generated/openapi.json'), 'utf8'));
    expect(yaml.text).toBe(readFileSync(join(__dirname, '../generated/openapi.yaml'), 'utf8'));
    expect(yaml.headers.get('content-type')).toMatch(/^application\/yaml/);
  });

  it('then health and readiness answer the success envelope', async () => {
    const health = await server.sdk().system.getHealth();
    const ready = await server.sdk().system.getReady();
    expect(health.data.status).toBe('ok');
    expect(ready.data).toEqual({ status: 'ready', database: 'up' });
  });
});
