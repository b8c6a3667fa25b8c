/**
 * A client company may keep a time zone of its own: its cards then count their days, weeks and
 * months in it rather than in their network's. A client in Niger (Africa/Niamey, UTC+1) on a
 * network kept in Africa/Abidjan (UTC): a fill recorded at 23:30 UTC counts on the next day for
 * its card's limits and allowances, while another client's card on the same network counts it
 * on its own day; the station's settlement and the partner's daily statement stay in the
 * network's day for both. The server's clock cannot be set, so each fill is made now and its rows
 * are then dated 23:30 UTC yesterday in the database, as if the server had recorded it then.
 */
import { randomUUID } from 'node:crypto';
import { CardService, type PartnerPaymentCreate } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { call, failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, fundedCard, newCardProfile, newEnergyType, newNetwork, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
let sequence = 0;
const core = () => server.sdk({ token });

const DAY_MS = 86_400_000;
const today = new Date().toISOString().slice(0, 10);
const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
const lateFill = `${yesterday}T23:30:00.000Z`;
const midnight = new Date(`${today}T00:00:00.000Z`);

interface Fleet {
  clientId: string;
  cardId: string;
  cardNumber: string;
}

let networkId: string;
let profileId: string;
let stationId: string;
let station: { id: string; token: string };
/** A client of the network keeping Africa/Niamey, and one following the network (Africa/Abidjan). */
let niger: Fleet;
let abidjan: Fleet;

/** A client of the network (with `timeZone` when given) and a card of it limited to 20,000 XOF a day, holding 100,000. */
async function fleet(code: string, timeZone?: string): Promise<Fleet> {
  const client = (await core().coreReferential.createClient({ clientCreate: { networkId, code, name: `Flotte ${code}`, ...(timeZone ? { timeZone } : {}) } }))
    .data;
  const card = await fundedCard(core(), { clientId: client.id, profileId }, 100000);
  await core().coreCards.replaceCardControls({ cardId: card.id, spendingControls: { amount: { limits: [{ perDay: xof(20000) }], mode: 'hard' } } });
  return { clientId: client.id, cardId: card.id, cardNumber: card.number };
}

const payment = (of: Fleet, litres: number): PartnerPaymentCreate => ({
  cardNumber: of.cardNumber,
  servicePointId: stationId,
  amount: xof(litres * 700),
  service: CardService.Fuel,
  fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(700) },
  receiptNumber: `CTZ-${(sequence += 1)}`,
  externalReference: `CTZ-${sequence}`,
});
const stationApi = () => server.sdk({ token: station.token }).partner;

/** A payment of 10 L (7,000 XOF) by the card, dated `at` as if recorded then. */
async function fillRecordedAt(of: Fleet, at: string): Promise<string> {
  const operationId = (await stationApi().createPartnerPayment({ idempotencyKey: randomUUID(), partnerPaymentCreate: payment(of, 10) })).data.id;
  await server.database.db.query('UPDATE ledger_operations SET created_at = $2 WHERE id = $1', [operationId, at]);
  await server.database.db.query('UPDATE ledger_entries SET created_at = $2 WHERE operation_id = $1', [operationId, at]);
  return operationId;
}

/** The card's allowance zone and its day's allowance, as they stood at today's UTC midnight (half an hour after the late fill). */
async function dayAllowance(of: Fleet) {
  const answer = (await core().coreCards.getCardAllowances({ cardId: of.cardId, at: midnight })).data;
  return { timeZone: answer.timeZone, day: answer.items.find((item) => item.period === 'day') };
}

const NIAMEY_DAY = {
  periodStart: new Date(`${yesterday}T23:00:00.000Z`),
  resetsAt: new Date(`${today}T23:00:00.000Z`),
};
const ABIDJAN_DAY = { periodStart: midnight, resetsAt: new Date(midnight.getTime() + DAY_MS) };

const clientRow = async (clientId: string) =>
  (await server.database.db.query<{ time_zone: string | null; updated_at: Date }>('SELECT time_zone, updated_at FROM clients WHERE id = $1', [clientId]))[0];
const auditCount = async () => (await server.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events'))[0].n;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  await newEnergyType(core(), 'GASOIL', 700);
  profileId = await newCardProfile(core(), 'CTZ');
  networkId = await newNetwork(core(), 'RES-CTZ');
  stationId = (await newStation(core(), networkId, 'STATION-CTZ')).id;
  niger = await fleet('FLOTTE-NIAMEY', 'Africa/Niamey');
  abidjan = await fleet('FLOTTE-ABIDJAN');
  const partner = await contractedPartner(server, core(), {
    name: 'Station CTZ SI',
    scopes: ['partner:payments.write', 'partner:operations.read'],
    servicePointId: stationId,
  });
  station = { id: partner.id, token: partner.token };
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

describe('a client keeps a time zone', () => {
  it('when a client is created with one, then it is kept and returned; without one it is null (its cards follow the network); PATCH sets and clears it, audited', async () => {
    const referential = core().coreReferential;
    expect((await referential.getNetwork({ networkId })).data.timeZone).toBe('Africa/Abidjan');
    const created = await call(`${server.url}/core/v1/clients/${niger.clientId}`, { headers: { authorization: `Bearer ${token}` } });
    expectDocumented('getClient', 200, created.body);
    expect(created.body.data.timeZone).toBe('Africa/Niamey');
    const following = await call(`${server.url}/core/v1/clients/${abidjan.clientId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(following.body.data).toHaveProperty('timeZone', null);
    expect((await referential.listClients({ networkId })).data.items.map((client) => [client.id, client.timeZone])).toEqual(
      expect.arrayContaining([
        [niger.clientId, 'Africa/Niamey'],
        [abidjan.clientId, null],
      ]),
    );

    const other = (await referential.createClient({ clientCreate: { networkId, code: 'FLOTTE-COTONOU', name: 'Flotte Cotonou' } })).data;
    const set = await referential.updateClient({ clientId: other.id, clientUpdate: { timeZone: 'Africa/Porto-Novo' } });
    expect(set.data).toMatchObject({ timeZone: 'Africa/Porto-Novo', name: 'Flotte Cotonou' });
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const cleared = await call(`${server.url}/core/v1/clients/${other.id}`, { method: 'PATCH', headers, body: JSON.stringify({ timeZone: null }) });
    expect([cleared.status, cleared.body.data.timeZone]).toEqual([200, null]);
    expectDocumented('updateClient', 200, cleared.body);

    const events = (await core().coreAudit.listAuditEvents({ resourceType: 'client', resourceId: other.id })).data.items;
    expect(events.map((event) => [event.action, event.before?.timeZone, event.after?.timeZone])).toEqual([
      ['client.created', undefined, null],
      ['client.updated', null, 'Africa/Porto-Novo'],
      ['client.updated', 'Africa/Porto-Novo', null],
    ]);
  });

  it('when a client names a time zone the server does not know, then it is 400 4160 on /body/timeZone and nothing is made or changed', async () => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const audited = await auditCount();
    const made = await call(`${server.url}/core/v1/clients`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ networkId, code: 'FLOTTE-MARS', name: 'Flotte Mars', timeZone: 'Mars/Olympus_Mons' }),
    });
    expect([made.status, made.body.code, made.body.errors]).toEqual([400, '4160', [expect.objectContaining({ path: '/body/timeZone' })]]);
    expectDocumented('createClient', 400, made.body);
    expect((await core().coreReferential.listClients({ networkId })).data.items.map((client) => client.code)).not.toContain('FLOTTE-MARS');

    const before = await clientRow(niger.clientId);
    for (const timeZone of ['Africa/Cotonou', 'Europe/Nowhere']) {
      const changed = await call(`${server.url}/core/v1/clients/${niger.clientId}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ name: 'Renamed', timeZone }),
      });
      expect([changed.status, changed.body.code, changed.body.errors]).toEqual([400, '4160', [expect.objectContaining({ path: '/body/timeZone' })]]);
      expectDocumented('updateClient', 400, changed.body);
    }
    const malformed = await call(`${server.url}/core/v1/clients/${niger.clientId}`, { method: 'PATCH', headers, body: JSON.stringify({ timeZone: 'niamey' }) });
    expect(malformed.status).toBe(400);
    expect(await clientRow(niger.clientId)).toEqual(before);
    expect((await core().coreReferential.getClient({ clientId: niger.clientId })).data).toMatchObject({
      name: 'Flotte FLOTTE-NIAMEY',
      timeZone: 'Africa/Niamey',
    });
    expect(await auditCount()).toBe(audited);
  });
});

let nigerFill: string;
let abidjanFill: string;

describe('a fill at 23:30 UTC on a network kept in Africa/Abidjan', () => {
  beforeAll(async () => {
    nigerFill = await fillRecordedAt(niger, lateFill);
    abidjanFill = await fillRecordedAt(abidjan, lateFill);
  });

  it("when the card's client keeps Africa/Niamey, then the fill is on the next day of its limits and allowances, which say the zone; another client's card counts it on its own day", async () => {
    const answer = await call(`${server.url}/core/v1/cards/${niger.cardId}/allowances?at=${midnight.toISOString()}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expectDocumented('getCardAllowances', 200, answer.body);
    expect(await dayAllowance(niger)).toEqual({
      timeZone: 'Africa/Niamey',
      day: expect.objectContaining({ used: 7000, remaining: 13000, ...NIAMEY_DAY }),
    });
    expect(await dayAllowance(abidjan)).toEqual({
      timeZone: 'Africa/Abidjan',
      day: expect.objectContaining({ used: 0, remaining: 20000, ...ABIDJAN_DAY }),
    });

    // The partner reading the Niger card's allowances is answered in the same zone.
    const partner = await contractedPartner(server, core(), { name: 'Gestionnaire Niger', scopes: ['partner:cards.read'], clientId: niger.clientId });
    const read = (await server.sdk({ token: partner.token }).partner.getPartnerCardAllowances({ cardId: niger.cardId, at: midnight })).data;
    expect(read.timeZone).toBe('Africa/Niamey');

    // A payment now of 14,000 XOF: beyond the day's 20,000 with the late fill, within it without.
    // (From 23:00 UTC the Niamey day of the late fill is over: only the other card is checked then.)
    if (Date.now() < Date.parse(`${today}T23:00:00.000Z`)) {
      const refused = await failure(stationApi().createPartnerPayment({ idempotencyKey: randomUUID(), partnerPaymentCreate: payment(niger, 20) }));
      expect([refused.status, refused.body.code, refused.body.details]).toEqual([
        409,
        '4053',
        expect.objectContaining({ period: 'perDay', timeZone: 'Africa/Niamey', used: 7000, requested: 14000 }),
      ]);
    }
    const paid = await stationApi().createPartnerPayment({ idempotencyKey: randomUUID(), partnerPaymentCreate: payment(abidjan, 20) });
    expect(paid.data.status).toBe('completed');
  });

  it("when the station's day is read, then both fills are on the network's day (Africa/Abidjan), whatever the clients' zones, in its settlement and its partner's statement", async () => {
    const settlement = (await core().coreLedger.getServicePointSettlement({ servicePointId: stationId, day: yesterday, unit: 'XOF' })).data;
    expect(settlement).toMatchObject({ day: yesterday, timeZone: 'Africa/Abidjan', from: new Date(`${yesterday}T00:00:00.000Z`) });
    expect(settlement.lines.map((line) => line.clientId).sort()).toEqual([niger.clientId, abidjan.clientId].sort());

    // One zone for the partner, its networks' (no 4161 for the Niger client's own zone).
    const statement = (await stationApi().getPartnerDailyStatement({ day: yesterday, unit: 'XOF' })).data;
    expect(statement.timeZone).toBe('Africa/Abidjan');
    expect(statement.lines.map((line) => line.operationId)).toEqual(expect.arrayContaining([nigerFill, abidjanFill]));
    const next = (await stationApi().getPartnerDailyStatement({ day: today, unit: 'XOF' })).data;
    expect(next.lines.map((line) => line.operationId)).not.toContain(nigerFill);
  });

  it("when a client's zone changes mid-day, then the next call counts in the new zone: the counters are summed from the posted payments, so the late fill moves to the new zone's day, and back", async () => {
    const referential = core().coreReferential;
    await referential.updateClient({ clientId: abidjan.clientId, clientUpdate: { timeZone: 'Africa/Niamey' } });
    expect(await dayAllowance(abidjan)).toEqual({ timeZone: 'Africa/Niamey', day: expect.objectContaining({ used: 7000, remaining: 13000, ...NIAMEY_DAY }) });

    await referential.updateClient({ clientId: niger.clientId, clientUpdate: { timeZone: null } });
    expect(await dayAllowance(niger)).toEqual({ timeZone: 'Africa/Abidjan', day: expect.objectContaining({ used: 0, remaining: 20000, ...ABIDJAN_DAY }) });
    // Now within the network's day, the Niger card pays what its own zone refused.
    const paid = await stationApi().createPartnerPayment({ idempotencyKey: randomUUID(), partnerPaymentCreate: payment(niger, 20) });
    expect(paid.data.status).toBe('completed');

    // The network's own zone follows for a client without one; the client's own still wins.
    await referential.updateNetwork({ networkId, networkUpdate: { timeZone: 'Africa/Lagos' } });
    expect((await dayAllowance(niger)).timeZone).toBe('Africa/Lagos');
    expect((await dayAllowance(abidjan)).timeZone).toBe('Africa/Niamey');
    await referential.updateNetwork({ networkId, networkUpdate: { timeZone: 'Africa/Abidjan' } });
    await referential.updateClient({ clientId: niger.clientId, clientUpdate: { timeZone: 'Africa/Niamey' } });
    await referential.updateClient({ clientId: abidjan.clientId, clientUpdate: { timeZone: null } });
    expect((await dayAllowance(niger)).timeZone).toBe('Africa/Niamey');
    expect((await dayAllowance(abidjan)).timeZone).toBe('Africa/Abidjan');
  });

  it("when a card of a client keeping Africa/Niamey goes beyond its profile's monthly offline cap, then the month is the client's zone's, and the exception says so", async () => {
    const cappedProfile = await newCardProfile(core(), 'CTZ-HL', { monthlyOfflineCap: xof(10000) });
    const card = await fundedCard(core(), { clientId: niger.clientId, profileId: cappedProfile }, 100000);
    const occurredAt = new Date();
    const fill = (litres: number) => {
      sequence += 1;
      return {
        terminalTransactionId: `CTZ-TPE-${sequence}`,
        occurredAt,
        cardId: card.id,
        amount: xof(litres * 700),
        service: CardService.Fuel,
        fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(700) },
        pumpNumber: 1,
        receiptNumber: `CTZ-OFF-${sequence}`,
      };
    };
    const uploaded = (
      await core().coreLedger.uploadOfflineFills({ servicePointId: stationId, offlineFillBatch: { terminalId: 'TPE-CTZ', fills: [fill(10), fill(10)] } })
    ).data;
    expect(uploaded.results.map((result) => [result.status, result.overCap])).toEqual([
      ['booked', false],
      ['booked', true],
    ]);
    const niameyMonth = new Date(occurredAt.getTime() + 3600_000).toISOString().slice(0, 7);
    const [exception] = (await core().coreCards.listCardExceptions({ cardId: card.id })).data.items;
    expect(exception).toMatchObject({ kind: 'offline-over-cap', details: { month: `${niameyMonth} (Africa/Niamey)`, cap: 10000, usedBefore: 7000 } });
  });
});
