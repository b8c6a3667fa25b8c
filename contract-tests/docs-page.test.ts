/**
 * The documentation page as the server sends it (the browser test renders it): it names the
 * server it is served from, whatever the port or host name, and nothing a client sent.
 */
import { request } from 'node:http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;

/** A raw GET (fetch would not send a forged Host header), with its status, headers and body bytes. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
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
