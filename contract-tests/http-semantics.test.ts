/**
 * HTTP semantics a proxy or a standard client relies on: exact paths, HEAD wherever GET is
 * served, one Authorization header, bodies that do not decode.
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let coreToken: string;
beforeAll(async () => {
  server = await startTestServer();
  coreToken = await server.coreToken();
});
afterAll(() => server.stop());

const bearer = () => ({ authorization: `Bearer ${coreToken}` });

/** Sends raw header lines (fetch merges repeated headers into one); a raw list needs its own Host. */
function rawRequest(url: string, method: string, headers: [string, string][], body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method, headers: [['Host', target.host], ...headers].flat() },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('when a path differs from the contract only by case or a trailing slash', () => {
  it.each(['/Core/V1/Partners/', '/core/v1/partners/', '/CORE/v1/partners', '/core/v1/Partners', '/health/', '/HEALTH'])(
    'then %s is an unknown route (404 3001), not the operation',
    async (path) => {
      const answer = await call(`${server.url}${path}`, { headers: bearer() });
      expect([answer.status, answer.body.code]).toEqual([404, '3001']);
    },
  );

  it('then the exact path is served', async () => {
    const answer = await call(`${server.url}/core/v1/partners`, { headers: bearer() });
    expect(answer.status).toBe(200);
  });
});

describe('when a client sends HEAD', () => {
  it('then a GET route answers with the GET status and headers and no body', async () => {
    const get = await call(`${server.url}/core/v1/partners`, { headers: bearer() });
    const head = await call(`${server.url}/core/v1/partners`, { method: 'HEAD', headers: bearer() });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
  });

  it('then HEAD needs the same credentials as GET', async () => {
    const head = await call(`${server.url}/core/v1/partners`, { method: 'HEAD' });
    expect(head.status).toBe(401);
    expect(head.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('then a route without GET answers 405 and Allow lists what it serves', async () => {
    const head = await call(`${server.url}/oauth/token`, { method: 'HEAD' });
    expect(head.status).toBe(405);
    const wrong = await call(`${server.url}/core/v1/partners`, { method: 'PUT', headers: bearer() });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);
  });
});

describe('when a request carries two Authorization headers', () => {
  it('then a resource call is refused 400 with code 1009, whichever comes first', async () => {
    for (const headers of [
      [
        ['Authorization', `Bearer ${coreToken}`],
        ['Authorization', 'Bearer forged'],
      ],
      [
        ['Authorization', 'Bearer forged'],
        ['authorization', `Bearer ${coreToken}`],
      ],
    ] as [string, string][][]) {
      const answer = await rawRequest(`${server.url}/core/v1/partners`, 'GET', headers);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ success: false, code: '1009' });
    }
  });

  it('then the token endpoint answers invalid_request', async () => {
    const partner = await server.partner();
    const basic = `Basic ${Buffer.from(`${partner.key}:${partner.secret}`).toString('base64')}`;
    const answer = await rawRequest(
      `${server.url}/oauth/token`,
      'POST',
      [
        ['Authorization', basic],
        ['Authorization', basic],
        ['Content-Type', 'application/x-www-form-urlencoded'],
      ],
      'grant_type=client_credentials',
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request', code: '1009' });
  });
});

describe('when a body carries a Content-Encoding', () => {
  const post = (body: BodyInit, encoding: string) =>
    call(`${server.url}/core/v1/networks`, {
      method: 'POST',
      body,
      headers: { ...bearer(), 'content-type': 'application/json', 'content-encoding': encoding },
    });

  it.each(['gzip', 'deflate', 'br', 'zstd'])('then a %s body that does not decode is 400 with code 2001, not 500', async (encoding) => {
    const answer = await post('not compressed at all', encoding);
    expect([answer.status, answer.body.code]).toEqual([400, '2001']);
    expect(answer.body.debugMessage).toMatch(/Content-Encoding/);
  });

  it('then an encoding the server does not know is 415 with code 2003', async () => {
    const answer = await post('{}', 'compress');
    expect([answer.status, answer.body.code]).toEqual([415, '2003']);
  });

  it('then a well-formed gzip body is read', async () => {
    const answer = await post(gzipSync(JSON.stringify({ code: `GZ-${Date.now()}`, name: 'Réseau compressé' })), 'gzip');
    expect([answer.status, answer.body.data?.name]).toEqual([200, 'Réseau compressé']);
  });
});
