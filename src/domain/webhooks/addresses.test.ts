/**
 * SSRF: webhook URLs and connections reach public addresses only. Registration refuses private,
 * loopback, link-local, metadata, IPv6 and IPv4-mapped targets and names resolving to them; the
 * transport refuses them again by the address actually connected to (a name that resolves to
 * 127.0.0.1 at delivery time: DNS rebinding) and follows no redirect. Test mode admits loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { AppError } from '../app-error';
import { addressRefusal, checkWebhookUrl } from './addresses';
import { postWebhook } from './transport';

const strict = { allowLoopbackHttp: false };
const testMode = { allowLoopbackHttp: true };

async function refusal(url: string, policy = strict, resolve?: (host: string) => Promise<string[]>): Promise<string> {
  try {
    await checkWebhookUrl(url, policy, resolve);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('4150');
    return (error as AppError).debugMessage;
  }
  throw new Error(`${url} was accepted`);
}

describe('registration', () => {
  test.each([
    ['http://93.184.215.14/hook', /plain http/],
    ['ftp://93.184.215.14/hook', /ftp: scheme/],
    ['https://user:pw@93.184.215.14/hook', /user or password/],
    ['https://127.0.0.1/hook', /loopback/],
    ['https://10.1.2.3/hook', /private/],
    ['https://172.16.0.1/hook', /private/],
    ['https://192.168.1.1/hook', /private/],
    ['https://100.64.0.1/hook', /carrierGradeNat/],
    ['https://169.254.169.254/latest/meta-data', /linkLocal/],
    ['https://0.0.0.0/hook', /unspecified/],
    ['https://[::1]/hook', /loopback/],
    ['https://[fd00::1]/hook', /uniqueLocal/],
    ['https://[fe80::1]/hook', /linkLocal/],
    ['https://[::ffff:127.0.0.1]/hook', /ipv4Mapped/],
    ['https://[::ffff:a9fe:a9fe]/hook', /ipv4Mapped/],
    ['https://2130706433/hook', /loopback/], // the URL parser reads a decimal host as 127.0.0.1
  ])('when the URL is %s, then it is refused', async (url, reason) => {
    expect(await refusal(url)).toMatch(reason);
  });

  test('when a name resolves to 127.0.0.1 outside test mode, then it is refused', async () => {
    expect(await refusal('https://localhost/hook')).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(await refusal('https://hooks.example/x', strict, async () => ['93.184.215.14', '127.0.0.1'])).toMatch(
      /hooks\.example resolves to 127\.0\.0\.1, a loopback address/,
    );
  });

  test('when a name does not resolve, then it is refused', async () => {
    expect(await refusal('https://nowhere.invalid/hook', strict, async () => [])).toMatch(/does not resolve/);
  });

  test('when the host is public and https, then the URL is accepted as written', async () => {
    await expect(
      checkWebhookUrl('https://hooks.example/cynod?x=1', strict, async () => ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c']),
    ).resolves.toBe('https://hooks.example/cynod?x=1');
  });

  test('when in test mode, then plain http reaches 127.0.0.1 and [::1] only', async () => {
    await expect(checkWebhookUrl('http://127.0.0.1:9/hook', testMode)).resolves.toBe('http://127.0.0.1:9/hook');
    await expect(checkWebhookUrl('http://[::1]:9/hook', testMode)).resolves.toBe('http://[::1]:9/hook');
    expect(await refusal('http://localhost:9/hook', testMode)).toMatch(/only to 127\.0\.0\.1/);
    expect(await refusal('https://10.0.0.1/hook', testMode)).toMatch(/private/);
    expect(addressRefusal('127.0.0.2', testMode)).toBe('a loopback address');
  });
});

describe('connection', () => {
  let receiver: Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      hits += 1;
      if (req.url === '/slow') return; // never answers
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://10.0.0.1/internal' }).end();
        return;
      }
      res.end('ok');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        receiver.closeAllConnections();
        receiver.close(() => resolve());
      }),
  );
  beforeEach(() => {
    hits = 0;
  });

  const options = (policy = strict, lookup?: LookupFunction) => ({ timeoutMs: 2000, policy, lookup });
  /** A resolver that answers 127.0.0.1 for every name, as a rebinding DNS server would after registration. */
  const rebinding: LookupFunction = (_host, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all)
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  };

  test('when the target is a loopback address outside test mode, then nothing is sent', async () => {
    const answer = await postWebhook(`http://127.0.0.1:${port}/hook`, {}, '{}', options());
    expect(answer).toMatchObject({ statusCode: null, error: expect.stringMatching(/not allowed/) });
    expect(hits).toBe(0);
  });

  test('when a name resolves to 127.0.0.1 at connection (DNS rebinding), then nothing is sent', async () => {
    const answer = await postWebhook(`http://rebound.example:${port}/hook`, {}, '{}', options(strict, rebinding));
    expect(answer).toMatchObject({ statusCode: null, error: expect.stringMatching(/127\.0\.0\.1.*not allowed/) });
    expect(hits).toBe(0);
  });

  test.each(['[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]'])('when the target is %s, then nothing is sent', async (host) => {
    const answer = await postWebhook(`http://${host}:${port}/hook`, {}, '{}', options());
    expect(answer).toMatchObject({ statusCode: null, error: expect.stringMatching(/not allowed/) });
    expect(hits).toBe(0);
  });

  test('when the receiver redirects to a private address, then the redirect is not followed', async () => {
    const answer = await postWebhook(`http://127.0.0.1:${port}/redirect`, {}, '{}', options(testMode));
    expect(answer).toMatchObject({ statusCode: 302, error: null });
    expect(hits).toBe(1);
  });

  test('when in test mode, then 127.0.0.1 is reached and the answer read', async () => {
    const answer = await postWebhook(`http://127.0.0.1:${port}/hook`, {}, '{}', options(testMode));
    expect(answer).toMatchObject({ statusCode: 200, error: null, responseExcerpt: 'ok' });
  });

  test('when in test mode, then the address connected to decides: a name resolving to 127.0.0.1 reaches it', async () => {
    const answer = await postWebhook(`http://rebound.example:${port}/hook`, {}, '{}', options(testMode, rebinding));
    expect(answer.statusCode).toBe(200);
  });

  test('when the receiver does not answer in time, then the attempt fails with the deadline', async () => {
    const answer = await postWebhook(`http://127.0.0.1:${port}/slow`, {}, '{}', { timeoutMs: 100, policy: testMode });
    expect(answer).toMatchObject({ statusCode: null, error: 'no answer within 100 ms' });
  });
});
