/**
 * The mock partners run (`npm run mock -- --port N`, Prism on the published contract) serves every
 * operation's documented example and every documented error through `Prefer: code=...`, and
 * the SDK's main calls work against it. A broken example or an unmockable schema fails here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Configuration, CoreCardsApi, OauthApi, PartnerApi, SystemApi } from '../generated/sdk';
import { exampleHeaders, examplePath, exampleQuery, operations, resolve, type Json } from './support/contract';

const PRISM_START_MS = 180_000;
let prism: ChildProcess;
let baseUrl: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const root = join(__dirname, '..');
  // Started as the README says, with the port overridden: the script's default (4010) must give way.
  // detached: npm, tsx and Prism form one process group, stopped together.
  prism = spawn('npm', ['run', '-s', 'mock', '--', '--port', String(port)], { cwd: root, stdio: 'ignore', detached: true });
  let exited: string | undefined;
  prism.on('exit', (code, signal) => (exited = `Prism exited (${signal ?? code}) before it listened`));
  // Prism reads and resolves the whole contract before it listens: about 15 s on an idle machine,
  // several times that on a loaded one (CI runs two database passes side by side).
  const deadline = Date.now() + PRISM_START_MS;
  while (Date.now() < deadline && !exited) {
    try {
      await fetch(`${baseUrl}/health`);
      return;
    } catch {
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  throw new Error(exited ?? `Prism did not start within ${PRISM_START_MS / 1000} s`);
}, PRISM_START_MS + 10_000);
afterAll(() => {
  if (prism?.pid) process.kill(-prism.pid, 'SIGTERM');
});

/** A request the mock accepts: example path, example body, credentials of the operation's scheme. */
function requestFor(target: (typeof operations)[number], extraHeaders: Record<string, string> = {}): RequestInit {
  const schemes = ((target.operation.security ?? []) as Json[]).flatMap((requirement) => Object.keys(requirement));
  const authorization = schemes.includes('oauth2') ? 'Bearer mock-token' : `Basic ${Buffer.from('ck_demo:cs_demo').toString('base64')}`;
  const headers: Record<string, string> = { authorization, accept: 'application/json', ...exampleHeaders(target), ...extraHeaders };
  const content = resolve(target.operation.requestBody ?? {}).content as Json | undefined;
  if (!content) return { method: target.method.toUpperCase(), headers };
  const [mediaType, media] = Object.entries(content)[0] as [string, Json];
  const example = resolve(Object.values(media.examples ?? {})[0] as Json).value;
  headers['content-type'] = mediaType;
  const body = mediaType === 'application/json' ? JSON.stringify(example) : new URLSearchParams(example as Record<string, string>).toString();
  return { method: target.method.toUpperCase(), headers, body };
}

describe.each(operations.map((target) => [`${target.method.toUpperCase()} ${target.path}`, target] as const))('%s', (_title, target) => {
  it('is mocked with its documented example', async () => {
    const media = resolve(target.operation.responses['200']).content as Json;
    const [mediaType, documented] = Object.entries(media)[0] as [string, Json];
    const response = await fetch(baseUrl + examplePath(target) + exampleQuery(target), requestFor(target, { accept: mediaType }));
    expect(response.status).toBe(200);
    const expected = resolve(Object.values(documented.examples as Json)[0] as Json).value;
    const text = await response.text();
    expect(mediaType === 'application/json' ? JSON.parse(text) : text).toEqual(expected);
  });

  it('is mocked with each documented error through Prefer: code', async () => {
    const statuses = Object.keys(target.operation.responses).filter((status) => status !== '200');
    for (const status of statuses) {
      const response = await fetch(baseUrl + examplePath(target) + exampleQuery(target), requestFor(target, { prefer: `code=${status}` }));
      expect({ status: response.status, success: ((await response.json()) as { success?: unknown }).success }).toEqual({
        status: Number(status),
        success: false,
      });
    }
  });
});

describe('when a partner develops against the mock with the SDK', () => {
  it('then the main calls return the documented examples as typed objects', async () => {
    const configuration = new Configuration({ basePath: baseUrl, username: 'ck_demo', password: 'cs_demo', accessToken: async () => 'Bearer mock-token' });
    const token = await new OauthApi(configuration).createToken({ grantType: 'client_credentials' });
    expect(token.token_type).toBe('Bearer');
    expect((await new PartnerApi(configuration).getPartnerMe()).data.authMethod).toBe('bearer');
    expect((await new SystemApi(configuration).getHealth()).data.status).toBe('ok');
    const cards = new CoreCardsApi(configuration);
    const listed = await cards.listCards({});
    expect(listed.data.items[0].maskedNumber).toMatch(/^[0-9]{6}\*{6}[0-9]{4}$/);
    const looked = await cards.lookupCard({ cardLookup: { cardNumber: '7070701234564321' } });
    expect(looked.data.id).toBe(listed.data.items[0].id);
  });
});
