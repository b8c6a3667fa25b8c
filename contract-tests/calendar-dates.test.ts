/**
 * Dates the calendar does not have: every date-time the contract accepts is a
 * real calendar instant within its range (src/domain/calendar.ts), checked once by the
 * validator for every operation; anything else is 400 code 2001 naming the field, never a 500
 * (PostgreSQL refusing month 13) and never moved (30 February booked as 2 March).
 */
import { randomUUID } from 'node:crypto';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { issueCard, newClientWorld, newEnergyType, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
let cardId: string;
let servicePointId: string;
const sdk = () => server.sdk({ token });
const count = async (table: string) => (await server.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
const get = (path: string) => call(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
const post = (path: string, body: unknown) =>
  call(`${server.url}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
  });

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const owner = await newClientWorld(sdk(), 'DATES', { monthlyOfflineCap: xof(20000) });
  cardId = (await issueCard(sdk(), owner)).id;
  await sdk().coreCards.replaceCardControls({ cardId, spendingControls: { amount: { limits: [{ perMonth: xof(100000) }], mode: 'hard' } } });
  servicePointId = (await newStation(sdk(), owner.networkId, 'STATION-DATES')).id;
  await newEnergyType(sdk(), 'GASOIL');
});
afterAll(() => server.stop());

const IMPOSSIBLE = [
  '2026-13-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2025-02-29T00:00:00Z',
  '2026-04-31T10:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01T25:00:00Z',
  '2026-01-01T10:60:00Z',
  '2026-06-30T23:59:60Z',
  '2026-01-01T10:00:00+24:00',
  '10000-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '9999-12-31T23:00:00-05:00',
];
const LISTS: [string, string][] = [
  ['/core/v1/audit-events', 'from'],
  ['/core/v1/security-events', 'to'],
  ['/core/v1/operations', 'from'],
  ['/core/v1/card-declines', 'to'],
  ['/core/v1/card-exceptions', 'from'],
  ['/core/v1/cards', 'expiresAfter'],
  ['/core/v1/energy-types/GASOIL/price-in-force', 'at'],
];

describe('when a query parameter names an instant the calendar does not have', () => {
  it.each(LISTS)('then %s?%s= each such value is 400 2001 naming the parameter', async (path, name) => {
    for (const value of IMPOSSIBLE) {
      const answer = await get(`${path}?${name}=${encodeURIComponent(value)}`);
      expect([value, answer.status, answer.body.code, answer.body.errors?.map((error: { path: string }) => error.path)]).toEqual([
        value,
        400,
        '2001',
        [`/query/${name}`],
      ]);
    }
  });

  it('then the same lists accept real instants in any RFC 3339 spelling', async () => {
    for (const value of [
      '2024-02-29T00:00:00Z',
      '2026-01-01t10:00:00z',
      '2026-01-01T10:00:00.123456+05:30',
      '9999-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00Z',
    ]) {
      const answer = await get(`/core/v1/audit-events?from=${encodeURIComponent(value)}`);
      expect([value, answer.status]).toEqual([value, 200]);
    }
  });
});

describe('when a body names an instant the calendar does not have', () => {
  it('then a price effective in month 13 is 400 2001 naming effectiveAt, and no price is created', async () => {
    const before = await count('energy_prices');
    const answer = await post('/core/v1/energy-types/GASOIL/prices', {
      effectiveAt: '2026-13-01T00:00:00Z',
      priceInclTax: xof(715),
      priceExclVat: xof(600),
      priceExclTaxAndCustoms: xof(500),
      priceExclAllTaxes: xof(400),
    });
    expect([answer.status, answer.body.code, answer.body.errors]).toEqual([
      400,
      '2001',
      [{ path: '/body/effectiveAt', message: expect.stringContaining('date-time') }],
    ]);
    expect(await count('energy_prices')).toBe(before);
  });

  it.each(['2026-11-03T25:00:00Z', '2026-02-30T10:00:00Z'])(
    'then an offline fill at %s is 400 2001 naming its occurredAt, and nothing is booked',
    async (occurredAt) => {
      const before = await count('ledger_operations');
      const fill = {
        terminalTransactionId: `TPE-D-${randomUUID()}`,
        occurredAt,
        cardId,
        amount: xof(7000),
        service: 'fuel',
        fuel: { energyTypeCode: 'GASOIL', quantityMl: 10000, unitPrice: xof(700) },
        pumpNumber: 1,
        receiptNumber: 'OFF-D',
      };
      const answer = await post(`/core/v1/service-points/${servicePointId}/offline-fills`, { terminalId: 'TPE-D', fills: [fill] });
      expect([answer.status, answer.body.code, answer.body.errors?.map((error: { path: string }) => error.path)]).toEqual([
        400,
        '2001',
        ['/body/fills/0/occurredAt'],
      ]);
      expect(await count('ledger_operations')).toBe(before);
    },
  );
});

describe("when a card's allowances are asked at an instant whose periods leave the contract's range", () => {
  it('then at=9999-12-01 (its month resets in year 10000) is 400 2001 naming at, not 500', async () => {
    const answer = await get(`/core/v1/cards/${cardId}/allowances?at=${encodeURIComponent('9999-12-01T00:00:00Z')}`);
    expect([answer.status, answer.body.code, answer.body.errors?.map((error: { path: string }) => error.path)]).toEqual([400, '2001', ['/query/at']]);
  });

  it('then at=1970-01-01 (its week began in 1969) is 400 2001 naming at', async () => {
    const answer = await get(`/core/v1/cards/${cardId}/allowances?at=${encodeURIComponent('1970-01-01T12:00:00Z')}`);
    expect([answer.status, answer.body.code, answer.body.errors?.map((error: { path: string }) => error.path)]).toEqual([400, '2001', ['/query/at']]);
  });

  it('then at=9999-11-15 answers, its month resetting on 9999-12-01', async () => {
    const answer = await get(`/core/v1/cards/${cardId}/allowances?at=${encodeURIComponent('9999-11-15T00:00:00Z')}`);
    expect([answer.status, answer.body.errors]).toEqual([200, undefined]);
    expect(answer.body.data.items).toContainEqual(expect.objectContaining({ period: 'month', resetsAt: '9999-12-01T00:00:00.000Z' }));
  });
});
