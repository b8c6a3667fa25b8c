/**
 * The seed's balance enquiry, GET /get-solde-carte?numeroCarte=...: deprecated (Deprecation,
 * Sunset and Link say so on every answer, from the contract's x-deprecation), off unless the issuer enables it for the partner, answering the
 * look-up's envelope; the card number in its query string never reaches a log line, a metric
 * or an error answer, whatever its shape.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectDocumented } from './support/contract';
import { captured } from './support/log-capture';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, fundedCard, newCardProfile, newClient, newNetwork, xof } from './support/world';

let server: TestServer;
let token: string;
const core = () => server.sdk({ token });

let partnerId: string;
let partnerToken: string;
let cardId: string;
let cardNumber: string;
let foreignNumber: string;
/** Every number a test put in a query string. */
const numbersSent = new Set<string>();

const enquiry = (numeroCarte: string, bearer = partnerToken, extra = '') => {
  numbersSent.add(numeroCarte);
  return call(`${server.url}/get-solde-carte?numeroCarte=${encodeURIComponent(numeroCarte)}${extra}`, { headers: { authorization: `Bearer ${bearer}` } });
};
/** What the contract says of the deprecation, as the three headers must announce it. */
const { since, sunset } = (
  JSON.parse(readFileSync(join(__dirname, '../generated/openapi.json'), 'utf8')) as {
    paths: Record<string, { get: { 'x-deprecation': { since: string; sunset: string } } }>;
  }
).paths['/get-solde-carte'].get['x-deprecation'];
const ANNOUNCED = [`@${Date.parse(since) / 1000}`, new Date(sunset).toUTCString(), '</docs#/partner/getlegacycardbalance>; rel="deprecation"'];
const announced = (headers: Headers) => ['deprecation', 'sunset', 'link'].map((name) => headers.get(name));

const enable = (legacyBalanceAllowed: boolean) => core().corePartners.updatePartner({ partnerId, partnerUpdate: { legacyBalanceAllowed } });

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const networkId = await newNetwork(core(), 'RES-SOLDE');
  const profileId = await newCardProfile(core(), 'SOLDE', { validityMonths: 24, monthlyOfflineCap: xof(0) });
  const issue = async (code: string) => {
    const clientId = await newClient(core(), networkId, code, 'Transports Ivoiriens');
    const issued = await fundedCard(core(), { clientId, profileId }, 45000, { name: 'Konan Kouadio', phone: '+2250707080910' });
    return { clientId, cardId: issued.id, number: issued.number };
  };
  const mine = await issue('SOLDE-A');
  const other = await issue('SOLDE-B');
  cardId = mine.cardId;
  cardNumber = mine.number;
  foreignNumber = other.number;
  ({ id: partnerId, token: partnerToken } = await contractedPartner(server, core(), {
    name: 'Orange Money',
    scopes: ['partner:cards.read'],
    clientId: mine.clientId,
  }));
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

describe('GET /get-solde-carte', () => {
  it('when the partner was not enabled for it, then 403 code 1030, marked deprecated, and the partner record says it is off', async () => {
    expect((await core().corePartners.getPartner({ partnerId })).data.legacyBalanceAllowed).toBe(false);
    const refused = await enquiry(cardNumber);
    expect([refused.status, refused.body.code, announced(refused.headers)]).toEqual([403, '1030', ANNOUNCED]);
    expectDocumented('getLegacyCardBalance', 403, refused.body);
  });

  it("when the issuer enables it, then the partner gets the look-up's answer with the balances, deprecated, and the change is audited", async () => {
    expect((await enable(true)).data.legacyBalanceAllowed).toBe(true);
    const answer = await enquiry(cardNumber);
    expect([answer.status, announced(answer.headers)]).toEqual([200, ANNOUNCED]);
    expect(ANNOUNCED.slice(0, 2)).toEqual(['@1796169600', 'Wed, 30 Jun 2027 23:59:59 GMT']); // 2 December 2026, 30 June 2027 (the description's dates)
    expect(answer.body).toEqual({
      success: true,
      code: '0000',
      message: 'Opération réussie',
      data: {
        id: cardId,
        maskedNumber: `${cardNumber.slice(0, 6)}******${cardNumber.slice(-4)}`,
        status: 'active',
        expiresAt: expect.any(String),
        holderFirstName: 'Konan',
        balances: [{ unit: 'XOF', scale: 0, posted: 45000, available: 45000 }],
      },
    });
    const lookedUp = (await server.sdk({ token: partnerToken }).partner.lookupPartnerCard({ cardLookup: { cardNumber } })).data;
    expect(answer.body.data.id).toBe(lookedUp.id);
    expectDocumented('getLegacyCardBalance', 200, answer.body);
    const audit = (await core().coreAudit.listAuditEvents({ resourceId: partnerId })).data.items.filter((item) => item.action === 'partner.updated');
    expect(
      audit.map((item) => [
        (item.before as { legacyBalanceAllowed: boolean }).legacyBalanceAllowed,
        (item.after as { legacyBalanceAllowed: boolean }).legacyBalanceAllowed,
      ]),
    ).toEqual([[false, true]]);
  });

  it.each([
    ['a number failing its check digit', () => `${cardNumber.slice(0, 15)}${(Number(cardNumber[15]) + 1) % 10}`, 400, '2009'],
    ['15 digits', () => cardNumber.slice(0, 15), 400, '2001'],
    ['17 digits', () => `${cardNumber}7`, 400, '2001'],
    ['a number with letters', () => `${cardNumber}abc`, 400, '2001'],
    ["another partner's card", () => foreignNumber, 404, '3008'],
  ])('when the query names %s, then the envelope refuses it without quoting the number', async (_name, number, status, code) => {
    const numeroCarte = number();
    const answer = await enquiry(numeroCarte);
    expect([answer.status, answer.body.code, announced(answer.headers)]).toEqual([status, code, ANNOUNCED]);
    expect(answer.text).not.toContain(numeroCarte);
    expect(answer.text).not.toContain(numeroCarte.slice(0, 12));
    expectDocumented('getLegacyCardBalance', status, answer.body);
  });

  it('when the number is missing or the scope lacking, then 400 or 403 as for any operation', async () => {
    const missing = await call(`${server.url}/get-solde-carte`, { headers: { authorization: `Bearer ${partnerToken}` } });
    expect([missing.status, missing.body.code]).toEqual([400, '2001']);
    const profileOnly = await server.partner({ name: 'Sans cartes', scopes: ['partner:profile.read'] });
    const forbidden = await enquiry(cardNumber, await server.token(profileOnly.key, profileOnly.secret));
    expect([forbidden.status, forbidden.body.code]).toEqual([403, '1006']);
    expect(forbidden.text).not.toContain(cardNumber);
  });

  it('when it is disabled again, then 403 1030 again', async () => {
    await enable(false);
    expect((await enquiry(cardNumber)).body.code).toBe('1030');
  });

  it('then no number sent in a query string is in the logs or the metrics, and the access log names the operation without its query', async () => {
    const metrics = await call(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(metrics.status).toBe(200);
    const logs = captured().lines.join('');
    for (const number of numbersSent) {
      for (const text of [logs, metrics.text]) {
        expect(text).not.toContain(number);
        expect(text).not.toContain(number.slice(0, 12));
        expect(text).not.toContain(encodeURIComponent(number));
      }
    }
    expect(logs).not.toContain('numeroCarte=');
    expect(metrics.text).not.toContain('numeroCarte');
    const lines = captured()
      .lines.map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'request' && line.operationId === 'getLegacyCardBalance');
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(new Set(lines.map((line) => line.path))).toEqual(new Set(['/get-solde-carte']));
    expect(metrics.text).toMatch(/operation="getLegacyCardBalance"/);
  });
});
