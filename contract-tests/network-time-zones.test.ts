/**
 * Each network keeps a time zone: its cards' limits per day and the partners' daily statements
 * count days in it. Benin and Niger are UTC+1: a fill recorded at 23:30 UTC there is on the
 * next day; the same fill in a UTC network is on its own day. The server's clock cannot be set,
 * so the fill is made now and its rows are then dated 23:30 UTC yesterday in the database, as
 * if the server had recorded it then.
 */
import { randomUUID } from 'node:crypto';
import { CardService, type PartnerPaymentCreate } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { call, failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, fundedCard, newCardProfile, newClient, newEnergyType, newNetwork, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
let profileId: string;
let sequence = 0;
const sdk = () => server.sdk({ token });

const DAY_MS = 86_400_000;
/** Yesterday (UTC) and today: the fill is recorded at 23:30 UTC yesterday. */
const today = new Date().toISOString().slice(0, 10);
const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
const lateFill = `${yesterday}T23:30:00.000Z`;

interface Place {
  networkId: string;
  stationId: string;
  cardId: string;
  cardNumber: string;
  partner: { id: string; token: string };
}

/** A network in `timeZone` (the default when undefined) with a client, a card limited to 20,000 XOF a day, a station and a partner contracted for it. */
async function place(code: string, timeZone: string | undefined): Promise<Place> {
  const networkId = await newNetwork(sdk(), `RES-${code}`, `Réseau ${code}`, timeZone === undefined ? {} : { timeZone });
  const clientId = await newClient(sdk(), networkId, `FLOTTE-${code}`);
  const card = await fundedCard(sdk(), { clientId, profileId }, 100000);
  await sdk().coreCards.replaceCardControls({ cardId: card.id, spendingControls: { amount: { limits: [{ perDay: xof(20000) }], mode: 'hard' } } });
  const stationId = (await newStation(sdk(), networkId, `STATION-${code}`)).id;
  const partner = await contractedPartner(server, sdk(), {
    name: `Station ${code} SI`,
    scopes: ['partner:payments.write', 'partner:operations.read'],
    servicePointId: stationId,
  });
  return { networkId, stationId, cardId: card.id, cardNumber: card.number, partner: { id: partner.id, token: partner.token } };
}

const payment = (at: Place, litres: number): PartnerPaymentCreate => ({
  cardNumber: at.cardNumber,
  servicePointId: at.stationId,
  amount: xof(litres * 700),
  service: CardService.Fuel,
  fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(700) },
  receiptNumber: `TZ-${(sequence += 1)}`,
  externalReference: `TZ-${sequence}`,
});
const partnerApi = (at: Place) => server.sdk({ token: at.partner.token }).partner;

/** A payment of 10 L (7,000 XOF) at the place, dated `at` as if recorded then. */
async function fillRecordedAt(where: Place, at: string): Promise<string> {
  const operationId = (await partnerApi(where).createPartnerPayment({ idempotencyKey: randomUUID(), partnerPaymentCreate: payment(where, 10) })).data.id;
  await server.database.db.query('UPDATE ledger_operations SET created_at = $2 WHERE id = $1', [operationId, at]);
  await server.database.db.query('UPDATE ledger_entries SET created_at = $2 WHERE operation_id = $1', [operationId, at]);
  return operationId;
}

const statementLines = async (where: Place, day: string) => {
  const statement = (await partnerApi(where).getPartnerDailyStatement({ day, unit: 'XOF' })).data;
  return { ...statement, operationIds: statement.lines.map((line) => line.operationId) };
};

let benin: Place;
let abidjan: Place;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  await newEnergyType(sdk(), 'GASOIL', 700);
  profileId = await newCardProfile(sdk(), 'TZ', { monthlyOfflineCap: xof(100000) });
  benin = await place('BENIN', 'Africa/Porto-Novo');
  abidjan = await place('ABIDJAN', undefined);
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

describe('a network keeps a time zone', () => {
  it('when a network is created without one, then it is Africa/Abidjan; one given is kept, changed by PATCH, and its service points take it unless they name theirs', async () => {
    const referential = sdk().coreReferential;
    expect((await referential.getNetwork({ networkId: abidjan.networkId })).data.timeZone).toBe('Africa/Abidjan');
    expect((await referential.getNetwork({ networkId: benin.networkId })).data.timeZone).toBe('Africa/Porto-Novo');
    expect((await referential.getServicePoint({ servicePointId: benin.stationId })).data.timeZone).toBe('Africa/Porto-Novo');
    const niger = await newNetwork(sdk(), 'RES-NIGER');
    expect((await referential.updateNetwork({ networkId: niger, networkUpdate: { timeZone: 'Africa/Niamey' } })).data.timeZone).toBe('Africa/Niamey');
    const lagos = (await newStation(sdk(), niger, 'STATION-NIAMEY-LAGOS', { timeZone: 'Africa/Lagos' })).id;
    expect((await referential.getServicePoint({ servicePointId: lagos })).data.timeZone).toBe('Africa/Lagos');
  });

  it('when a network names a time zone the server does not know, then it is 400 4160 on /body/timeZone and nothing is made or changed', async () => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const made = await call(`${server.url}/core/v1/networks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ code: 'RES-MARS', name: 'Réseau Mars', timeZone: 'Mars/Olympus_Mons' }),
    });
    expect([made.status, made.body.code, made.body.errors]).toEqual([400, '4160', [expect.objectContaining({ path: '/body/timeZone' })]]);
    expectDocumented('createNetwork', 400, made.body);
    const before = (await sdk().coreReferential.getNetwork({ networkId: benin.networkId })).data;
    const changed = await call(`${server.url}/core/v1/networks/${benin.networkId}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ timeZone: 'Africa/Cotonou' }),
    });
    expect([changed.status, changed.body.code]).toEqual([400, '4160']);
    expect((await sdk().coreReferential.getNetwork({ networkId: benin.networkId })).data).toEqual(before);
    expect((await sdk().coreReferential.listNetworks({})).data.items.map((network) => network.code)).not.toContain('RES-MARS');
  });
});

let beninFill: string;
let abidjanFill: string;

describe('a fill at 23:30 UTC', () => {
  beforeAll(async () => {
    beninFill = await fillRecordedAt(benin, lateFill);
    abidjanFill = await fillRecordedAt(abidjan, lateFill);
  });

  it("when the network is UTC+1, then the partner's statement has it on the next day, whose bounds are 23:00 UTC; in a UTC network on its own day", async () => {
    const beninNextDay = await statementLines(benin, today);
    expect(beninNextDay).toMatchObject({
      day: today,
      timeZone: 'Africa/Porto-Novo',
      from: new Date(`${yesterday}T23:00:00.000Z`),
      to: new Date(`${today}T23:00:00.000Z`),
    });
    expect(beninNextDay.operationIds).toContain(beninFill);
    expect((await statementLines(benin, yesterday)).operationIds).not.toContain(beninFill);

    const abidjanSameDay = await statementLines(abidjan, yesterday);
    expect(abidjanSameDay).toMatchObject({
      timeZone: 'Africa/Abidjan',
      from: new Date(`${yesterday}T00:00:00.000Z`),
      to: new Date(`${today}T00:00:00.000Z`),
      closed: true,
    });
    expect(abidjanSameDay.operationIds).toContain(abidjanFill);
    expect((await statementLines(abidjan, today)).operationIds).not.toContain(abidjanFill);
  });

  it("when the card's network is UTC+1, then the fill uses the next day's limit; in a UTC network the next day starts whole", async () => {
    const midnight = `${today}T00:00:00.000Z`;
    const allowance = async (where: Place) => {
      const answer = (await sdk().coreCards.getCardAllowances({ cardId: where.cardId, at: new Date(midnight) })).data;
      return { timeZone: answer.timeZone, day: answer.items.find((item) => item.period === 'day') };
    };
    expect(await allowance(benin)).toEqual({
      timeZone: 'Africa/Porto-Novo',
      day: expect.objectContaining({
        used: 7000,
        remaining: 13000,
        periodStart: new Date(`${yesterday}T23:00:00.000Z`),
        resetsAt: new Date(`${today}T23:00:00.000Z`),
      }),
    });
    expect(await allowance(abidjan)).toEqual({
      timeZone: 'Africa/Abidjan',
      day: expect.objectContaining({ used: 0, remaining: 20000, periodStart: new Date(midnight), resetsAt: new Date(Date.parse(midnight) + DAY_MS) }),
    });

    // A payment now of 14,000 XOF: beyond the day's 20,000 with the late fill, within it without.
    // (From 23:00 UTC the Benin day of the late fill is over: only the UTC network is checked then.)
    if (Date.now() < Date.parse(`${today}T23:00:00.000Z`)) {
      const refused = await failure(partnerApi(benin).createPartnerPayment({ idempotencyKey: randomUUID(), partnerPaymentCreate: payment(benin, 20) }));
      expect([refused.status, refused.body.code, refused.body.details]).toEqual([
        409,
        '4053',
        expect.objectContaining({ period: 'perDay', timeZone: 'Africa/Porto-Novo', used: 7000, requested: 14000 }),
      ]);
    }
    const paid = await partnerApi(abidjan).createPartnerPayment({ idempotencyKey: randomUUID(), partnerPaymentCreate: payment(abidjan, 20) });
    expect(paid.data.status).toBe('completed');
  });
});

describe("a partner's statement in networks of two time zones", () => {
  it('when its contracts span Africa/Abidjan and Africa/Porto-Novo, then it names the zone (400 4161 without, 4160 for an unknown one)', async () => {
    await sdk().corePartners.createPartnerContract({ partnerId: benin.partner.id, partnerContractCreate: { servicePointId: abidjan.stationId } });
    const ambiguous = await failure(partnerApi(benin).getPartnerDailyStatement({ day: today, unit: 'XOF' }));
    expect([ambiguous.status, ambiguous.body.code, ambiguous.body.errors]).toEqual([400, '4161', [expect.objectContaining({ path: '/query/timeZone' })]]);
    expectDocumented('getPartnerDailyStatement', 400, ambiguous.body);
    const named = (await partnerApi(benin).getPartnerDailyStatement({ day: today, unit: 'XOF', timeZone: 'Africa/Porto-Novo' })).data;
    expect(named.lines.map((line) => line.operationId)).toContain(beninFill);
    const unknown = await failure(partnerApi(benin).getPartnerDailyStatement({ day: today, unit: 'XOF', timeZone: 'Mars/Olympus_Mons' }));
    expect([unknown.status, unknown.body.code]).toEqual([400, '4160']);
  });
});
