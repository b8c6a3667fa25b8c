/** Recovering from a lock-out: the 429 says how, and `npm run cli -- lockouts` lists and clears. */
import { runCli } from '../src/cli/commands';
import { basic, call, form, FORM } from './support/http';
import { startTestServer, usedSecret, type TestServer } from './support/server';
import type { AppConfig } from '../src/app';

const settings = { authFailureLimit: 4, authFailureWindowSeconds: 60 };
const config: Partial<AppConfig> = { ...settings, trustProxy: ['loopback'] };
/** Calls come through a trusted proxy on loopback, so each test picks its client address. */
const from = (address: string) => ({ 'x-forwarded-for': address, 'x-forwarded-proto': 'https' });
const tokenRequest = (url: string, key: string, secret: string, address: string) =>
  call(`${url}/oauth/token`, {
    method: 'POST',
    headers: { ...FORM, authorization: basic(key, secret), ...from(address) },
    body: form({ grant_type: 'client_credentials' }),
  });

jest.setTimeout(60_000);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config });
});
afterAll(() => server.stop());

async function cli(...argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  await runCli(argv, server.database.db, (line) => lines.push(line), settings);
  return lines;
}

/**
 * Windows are whole minutes: fail well inside one, so the count is not split across two;
 * `seconds` is how long the caller needs the minute for (this lock-out and what follows it).
 */
async function lockOut(key: string, address: string, seconds = 10): Promise<void> {
  const second = new Date().getSeconds();
  if (second > 60 - seconds) await new Promise((resolve) => setTimeout(resolve, (61 - second) * 1000));
  for (let index = 0; index < settings.authFailureLimit; index += 1) expect((await tokenRequest(server.url, key, 'cs_wrong', address)).status).toBe(401);
}

describe('npm run cli -- lockouts', () => {
  it('when an address is locked out, then the 429 debugMessage says to wait for Retry-After or to run lockouts clear with that address (from a clone or a build)', async () => {
    const partner = await server.partner();
    await lockOut(partner.key, '198.51.100.30');

    const locked = await tokenRequest(server.url, partner.key, partner.secret, '198.51.100.30');

    expect([locked.status, locked.body.code]).toEqual([429, '1014']);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(locked.body.debugMessage).toContain('Retry-After');
    expect(locked.body.debugMessage).toContain('npm run cli -- lockouts clear 198.51.100.30');
    expect(locked.body.debugMessage).toContain('node dist/cli.js lockouts clear 198.51.100.30');
  });

  it('when lock-outs are listed, then a table with column headers shows the address and the consumer-key, their failures, their lock and when they fade', async () => {
    const partner = await server.partner();
    await lockOut(partner.key, '198.51.100.31');

    const lines = await cli('lockouts', 'list');

    expect(lines[0].split(/\s+/)).toEqual(['KIND', 'SUBJECT', 'FAILURES', 'LOCKED-UNTIL', 'FADES-AT']);
    const addressLine = lines.find((line) => line.startsWith('address ') && line.includes(' 198.51.100.31 '))!;
    const address = addressLine.split(/\s+/);
    expect(address).toEqual([
      'address',
      '198.51.100.31',
      expect.stringMatching(/^[\d.]+\/4$/),
      expect.stringMatching(/^\d{4}-.*Z$/),
      expect.stringMatching(/^\d{4}-.*Z$/),
    ]);
    expect(lines.find((line) => line.startsWith('consumer-key ') && line.includes(partner.key))?.split(/\s+/)).toEqual([
      'consumer-key',
      partner.key,
      expect.stringMatching(/^[\d.]+\/4$/),
      expect.stringMatching(/Z$/),
      expect.stringMatching(/Z$/),
    ]);
    expect(addressLine.indexOf('198.51.100.31')).toBe(lines[0].indexOf('SUBJECT')); // the columns line up under their headers
  });

  it('when one address is cleared, then its right secret works again at once, other lock-outs stay, and the clearing is a security event', async () => {
    const partner = await server.partner();
    const other = await server.partner();
    await lockOut(partner.key, '198.51.100.32', 30); // both lock-outs and their checks in one minute
    await lockOut(other.key, '198.51.100.33', 0);
    expect((await tokenRequest(server.url, partner.key, partner.secret, '198.51.100.32')).status).toBe(429);

    expect(await cli('lockouts', 'clear', '198.51.100.32')).toEqual(['cleared the failures of 1 address(es) and key(s) (198.51.100.32)']);

    const answer = await tokenRequest(server.url, partner.key, partner.secret, '198.51.100.32');
    expect(answer.status).toBe(200);
    usedSecret(answer.body.access_token);
    expect((await tokenRequest(server.url, partner.key, partner.secret, '198.51.100.33')).status).toBe(429);
    const events = await server.database.db.query<{ channel: string; address: string }>(
      "SELECT channel, address FROM security_events WHERE type = 'auth.lockout-cleared'",
    );
    expect(events).toEqual([{ channel: 'cli', address: '198.51.100.32' }]);
  });

  it('when a consumer-key is cleared, then its failures are gone and the event names its partner', async () => {
    const partner = await server.partner();
    await lockOut(partner.key, '198.51.100.34');

    await cli('lockouts', 'clear', partner.key);

    expect((await cli('lockouts', 'list')).some((line) => line.includes(partner.key))).toBe(false);
    const events = await server.database.db.query<{ partner_id: string }>(
      "SELECT partner_id FROM security_events WHERE type = 'auth.lockout-cleared' AND partner_id IS NOT NULL",
    );
    expect(events).toEqual([{ partner_id: partner.id }]);
  });

  it('when everything is cleared, then nothing is listed and every address is accepted again', async () => {
    const partner = await server.partner();
    await lockOut(partner.key, '198.51.100.35');

    await cli('lockouts', 'clear');

    expect(await cli('lockouts', 'list')).toEqual(['no failed authentications counted']);
    const answer = await tokenRequest(server.url, partner.key, partner.secret, '198.51.100.35');
    expect(answer.status).toBe(200);
    usedSecret(answer.body.access_token);
    await expect(cli('lockouts', 'explode')).rejects.toThrow(/usage/);
  });
});
