/**
 * The SDK's journey examples (generated/sdk/examples/) as a partner's developer runs them, with
 * tsx, against `npm start`'s demo: a mobile-money recharge credited once whatever the retries,
 * a fill authorised, captured and voided at the demo station, and the day reconciled with the
 * events feed resumed from a kept cursor. Each prints what a person reads, and the money moves
 * as it says.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ClientCredentialsTokenProvider, CoreReferentialApi, PartnerApi } from '../generated/sdk';
import { npmStart, type StartedServer } from './support/npm-start';

const root = join(__dirname, '..');
let dataDir: string;
let server: StartedServer;
let settings: Record<string, string>;
let partner: PartnerApi;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cynod-sdk-journeys-'));
  server = await npmStart(dataDir);
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as { consumerKey: string; consumerSecret: string; cardNumber: string };
  const tokens = new ClientCredentialsTokenProvider({ basePath: server.url, consumerKey: demo.consumerKey, consumerSecret: demo.consumerSecret });
  partner = new PartnerApi(tokens.configuration());
  const station = (await new CoreReferentialApi(tokens.configuration()).listServicePoints({})).data.items[0];
  settings = {
    CYNOD_BASE_URL: server.url,
    CYNOD_CONSUMER_KEY: demo.consumerKey,
    CYNOD_CONSUMER_SECRET: demo.consumerSecret,
    CYNOD_CARD_NUMBER: demo.cardNumber,
    CYNOD_SERVICE_POINT_ID: station.id,
    CYNOD_CURSOR_FILE: join(dataDir, 'events.cursor'),
  };
}, 300_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

/** `npx tsx examples/<name>.ts` with the settings (and none of the caller's CYNOD_ ones). */
async function runExample(name: string, extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CYNOD_')));
  const args = ['--import', 'tsx', join(root, 'generated/sdk/examples', `${name}.ts`)];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: root, env: { ...env, ...settings, ...extra } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function available(): Promise<number> {
  const card = (await partner.lookupPartnerCard({ cardLookup: { cardNumber: settings.CYNOD_CARD_NUMBER } })).data;
  return card.balances.find((balance) => balance.unit === 'XOF')!.available;
}

test('a mobile-money operator recharges a card once, whatever the retries', async () => {
  const before = await available();
  const { code, stdout, stderr } = await runExample('recharge', { CYNOD_AMOUNT: '7500' });
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout).toMatch(/^Card \d{6}\*+\d{4} \(active\), holder \S+: \d+ XOF available$/m);
  expect(stdout).toMatch(/^Recharged 7500 XOF: operation op_\w+ \(\w+\), completed$/m);
  expect(stdout).toMatch(/^Sent again with the same key: operation op_\w+ \(the same, credited once\)$/m);
  expect(stdout).toMatch(/^Float: \d+ XOF available; recharged today 7500 XOF in 1 recharge\(s\)$/m);
  expect(await available()).toBe(before + 7500);
});

test('a station authorises, captures and voids at the pump', async () => {
  // A hold is refused, not cut, beyond what the card can pay: the card needs 30,000 XOF first.
  const { id: cardId } = (await partner.lookupPartnerCard({ cardLookup: { cardNumber: settings.CYNOD_CARD_NUMBER } })).data;
  await partner.createPartnerRecharge({
    idempotencyKey: randomUUID(),
    partnerRechargeCreate: { cardId, amount: { value: 50_000, unit: 'XOF' }, externalReference: 'MM-TOP-UP' },
  });
  const before = await available();
  const { code, stdout, stderr } = await runExample('pay-at-pump');
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout).toMatch(/^Authorised 30000 XOF \(limited by request\) until \S+Z: hold hld_\w+$/m);
  expect(stdout).toMatch(/^Captured 14300 XOF for 20 L: payment op_\w+; the rest is released$/m);
  expect(stdout).toMatch(/^Hold hld_\w+ voided: nothing taken$/m);
  expect(await available()).toBe(before - 14_300);
});

test('the day is reconciled line by line, and the events feed resumes from its kept cursor', async () => {
  const first = await runExample('reconcile');
  expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
  expect(first.stdout).toMatch(/^Statement of \d{4}-\d{2}-\d{2}: \d+ lines, float \d+ -> \d+ XOF, reconciled line by line$/m);
  const seen = Number(/^Events feed: (\d+) new event\(s\)/m.exec(first.stdout)?.[1]);
  expect(seen).toBeGreaterThan(0);

  const again = await runExample('reconcile');
  expect(again.stdout).toMatch(/^Events feed: 0 new event\(s\)/m);

  await runExample('recharge', { CYNOD_AMOUNT: '1000' });
  const after = await runExample('reconcile');
  expect(Number(/^Events feed: (\d+) new event\(s\)/m.exec(after.stdout)?.[1])).toBeGreaterThan(0);
});

test('a refusal is told in one line with its code, and nothing moves', async () => {
  const before = await available();
  const { code, stdout, stderr } = await runExample('recharge', { CYNOD_AMOUNT: '999999999' });
  expect(code).toBe(1);
  expect(stdout).not.toMatch(/^Recharged/m);
  expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Refused: code 4\d{3}, /)]);
  expect(await available()).toBe(before);
});
