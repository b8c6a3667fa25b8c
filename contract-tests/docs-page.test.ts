/**
 * The documentation page as the server sends it (the browser test renders it): it names the
 * server it is served from, whatever the port or host name, and nothing a client sent. It and
 * the contract come compressed as the client's Accept-Encoding allows.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { servedContract } from '../src/http/contract-answers';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;

/** A raw GET (fetch would not send a forged Host header), with its status, headers and body bytes. */
function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((done, fail) => {
    const call = request(`${server.url}${path}`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    call.on('error', fail);
    call.end();
  });
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** The contract embedded in the page, which Redoc hydrates in the browser (`__redoc_definition`). */
function embeddedContract(html: string): { servers: unknown } {
  const definition = /^\s*const __redoc_definition = (\{.*\});$/m.exec(html);
  if (!definition) throw new Error('no __redoc_definition in the page');
  return JSON.parse(definition[1]) as { servers: unknown };
}

describe('GET /docs', () => {
  it('when served on any port, then its server is the relative "/", which the browser resolves against the page (never a fixed 127.0.0.1:8080)', async () => {
    const html = await (await fetch(`${server.url}/docs`)).text();
    expect(embeddedContract(html).servers).toEqual([{ url: '/', description: 'The server this page is served from' }]);
    expect(html).not.toContain('127.0.0.1:8080');
  });

  it('when the Host header is forged, then nothing of it reaches the page', async () => {
    const honest = await get('/docs');
    const forged = await get('/docs', { host: 'evil.example"><script>alert(1)</script>' });
    expect(forged.status).toBe(200);
    expect(forged.body.equals(honest.body)).toBe(true);
  });
});

describe('compression of the static answers (GET /docs, /openapi.json, /openapi.yaml)', () => {
  const files = { '/docs': 'docs/index.html', '/openapi.json': 'openapi.json', '/openapi.yaml': 'openapi.yaml' } as const;
  const texts = {
    json: readFileSync(join(__dirname, '..', 'generated', 'openapi.json'), 'utf8'),
    yaml: readFileSync(join(__dirname, '..', 'generated', 'openapi.yaml'), 'utf8'),
  };
  /** What the test server sends for the path: the docs page as published, the contract naming its server "/" (contract-answers.ts). */
  const published = (path: keyof typeof files) =>
    path === '/docs'
      ? readFileSync(join(__dirname, '..', 'generated', files[path]))
      : Buffer.from(servedContract(texts, undefined)[path === '/openapi.json' ? 'json' : 'yaml'], 'utf8');

  it.each(Object.keys(files) as (keyof typeof files)[])(
    'when the client accepts gzip, then %s comes gzip-compressed, with its length and Vary',
    async (path) => {
      const answer = await get(path, { 'accept-encoding': 'gzip' });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBe('gzip');
      expect(answer.headers.vary).toMatch(/\bAccept-Encoding\b/i);
      expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
      expect(answer.body.length).toBeLessThan(published(path).length / 3);
      expect(gunzipSync(answer.body).equals(published(path))).toBe(true);
    },
  );

  it('when the client accepts brotli and gzip alike, then brotli (the smaller) is sent', async () => {
    const answer = await get('/docs', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(answer.headers['content-encoding']).toBe('br');
    expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
    expect(brotliDecompressSync(answer.body).equals(published('/docs'))).toBe(true);
  });

  it('when the client sends no Accept-Encoding, then the bytes are plain, with Vary all the same', async () => {
    const answer = await get('/openapi.json');
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers.vary).toMatch(/\bAccept-Encoding\b/i);
    expect(Number(answer.headers['content-length'])).toBe(published('/openapi.json').length);
    expect(answer.body.equals(published('/openapi.json'))).toBe(true);
  });

  it.each([
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['identity', undefined],
    ['gzip;q=0, br;q=0', undefined],
    ['identity;q=0.9, gzip;q=0.1', undefined],
    ['deflate', undefined],
    ['gzip;q=2, br;q=abc', undefined],
    ['GZIP;Q=0.8', 'gzip'],
    ['gzip;q=0.5, identity', undefined],
    ['*;q=0', undefined],
    ['', undefined],
  ])('when Accept-Encoding is "%s", then the coding is %s', async (acceptEncoding, coding) => {
    const answer = await get('/openapi.yaml', { 'accept-encoding': acceptEncoding });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe(coding);
  });

  it('when the client revalidates, then each coding has its own ETag and a match answers 304', async () => {
    const br = await get('/docs', { 'accept-encoding': 'br' });
    const gzip = await get('/docs', { 'accept-encoding': 'gzip' });
    const plain = await get('/docs');
    const tags = [br, gzip, plain].map((answer) => answer.headers.etag);
    expect(new Set(tags).size).toBe(3);
    const again = await get('/docs', { 'accept-encoding': 'gzip', 'if-none-match': String(gzip.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it("when HEAD asks with gzip, then the headers are the GET one's, without a body", async () => {
    const answer = await new Promise<{ headers: Record<string, string | string[] | undefined> }>((done, fail) => {
      const call = request(`${server.url}/docs`, { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } }, (response) => {
        response.resume();
        response.on('end', () => done({ headers: response.headers }));
      });
      call.on('error', fail);
      call.end();
    });
    const got = await get('/docs', { 'accept-encoding': 'gzip' });
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(answer.headers['content-length']).toBe(got.headers['content-length']);
  });
});
