/**
 * Authorisations found without their id: the Core and the partners list them (by status, card,
 * service point, the station's reference and creation time; cursor pages in settled order), a
 * station gives a hold its own pump transaction reference (when it places it or later; unique
 * per service point for the one placing it, fixed once given) and finds it by that reference.
 * A partner sees only the holds it placed; a refused reference moves nothing. And a card's
 * allowances list its per-transaction limits with its period ones, for partners too.
 */
import { randomUUID } from 'node:crypto';
import { AuthorizationStatus, CardService } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { call, failure, type Answer } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import {
  checkLedgerAfterEach,
  contractedPartner,
  fundedCard as newFundedCard,
  newClientWorld,
  newEnergyType,
  newStation,
  xof,
  type ClientWorld,
} from './support/world';

let server: TestServer;
let token: string;
let owner: ClientWorld;
let stationA: string; // contracted by p and q
let stationB: string; // contracted by q
const UNKNOWN_HOLD = 'hld_000000000000000000000000';
const sdk = () => server.sdk({ token });
const ledger = () => sdk().coreLedger;
const key = () => randomUUID();

interface Partner {
  id: string;
  token: string;
}
let p: Partner; // a station system at A
let q: Partner; // a station system at A and B, contracted for the client too
const api = (partner: Partner) => server.sdk({ token: partner.token }).partner;

const get = (path: string, bearer = token): Promise<Answer> => call(`${server.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
const put = (path: string, body: unknown, bearer = token): Promise<Answer> =>
  call(`${server.url}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const fundedCard = (value: number) => newFundedCard(sdk(), owner, value);
const balances = async (cardId: string) => {
  const [account] = (await ledger().listLedgerAccounts({ cardId })).data.items;
  return { posted: account.posted.value, held: account.held.value };
};
const declineCount = async () => (await server.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM card_declines'))[0].n;

const coreHold = (cardId: string, servicePointId: string, value: number, stationReference?: string) =>
  ledger().createAuthorization({
    idempotencyKey: key(),
    authorizationCreate: { cardId, servicePointId, amount: xof(value), service: CardService.Fuel, pumpNumber: 1, stationReference },
  });
const stationHold = (partner: Partner, cardNumber: string, servicePointId: string, value: number, stationReference?: string) =>
  api(partner).createPartnerAuthorization({
    idempotencyKey: key(),
    partnerAuthorizationCreate: { cardNumber, servicePointId, amount: xof(value), service: CardService.Fuel, pumpNumber: 2, stationReference },
  });

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  owner = await newClientWorld(sdk(), 'REFS');
  stationA = (await newStation(sdk(), owner.networkId, 'STN-REF-A')).id;
  stationB = (await newStation(sdk(), owner.networkId, 'STN-REF-B')).id;
  await newEnergyType(sdk(), 'GASOIL');
  const scopes = ['partner:payments.write', 'partner:cards.read', 'partner:events.read'];
  const made = await contractedPartner(server, sdk(), { name: 'Station Plateau SI', scopes, servicePointId: stationA });
  p = { id: made.id, token: made.token };
  const both = await contractedPartner(server, sdk(), { name: 'Flotte et stations', scopes, clientId: owner.clientId, servicePointId: stationB });
  await sdk().corePartners.createPartnerContract({ partnerId: both.id, partnerContractCreate: { servicePointId: stationA } });
  q = { id: both.id, token: both.token };
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

describe('station references', () => {
  it('when a hold is placed with a station reference, then it is found by it; the reference reused at the service point is 409 4130 and holds nothing', async () => {
    const card = await fundedCard(50000);
    const hold = (await coreHold(card.id, stationA, 10000, 'PMP1-0001')).data;
    expect(hold.stationReference).toBe('PMP1-0001');
    const found = await get(`/core/v1/authorizations?servicePointId=${stationA}&stationReference=PMP1-0001`);
    expect(found.status).toBe(200);
    expectDocumented('listAuthorizations', 200, found.body);
    expect(found.body.data.items.map((item: { id: string }) => item.id)).toEqual([hold.id]);
    expect(found.body.data.items[0]).toEqual({
      ...hold,
      expiresAt: hold.expiresAt.toISOString(),
      createdAt: hold.createdAt.toISOString(),
      updatedAt: hold.updatedAt.toISOString(),
    });

    const declines = await declineCount();
    const reused = await failure(coreHold(card.id, stationA, 5000, 'PMP1-0001'));
    expect([reused.status, reused.body.code]).toEqual([409, '4130']);
    expectDocumented('createAuthorization', 409, reused.body);
    expect(await balances(card.id)).toEqual({ posted: 50000, held: 10000 });
    expect(await declineCount()).toBe(declines); // the reference, not the card, was at fault
    const elsewhere = (await coreHold(card.id, stationB, 5000, 'PMP1-0001')).data; // unique per service point
    expect(elsewhere.stationReference).toBe('PMP1-0001');
    const bad = await failure(coreHold(card.id, stationA, 100, 'PMP 1'));
    expect([bad.status, bad.body.code]).toEqual([400, '2001']);
    expect(await balances(card.id)).toEqual({ posted: 50000, held: 15000 });
  });

  it('when a reference is given later, then it is kept in any status, the same again changes nothing, another is 4131 and a taken one 4130', async () => {
    const card = await fundedCard(30000);
    const open = (await coreHold(card.id, stationA, 4000)).data;
    const voided = (await coreHold(card.id, stationA, 3000)).data;
    await ledger().voidAuthorization({ authorizationId: voided.id, idempotencyKey: key() });
    expect(open.stationReference).toBeNull();

    const given = await put(`/core/v1/authorizations/${open.id}/station-reference`, { stationReference: 'PMP1-0100' });
    expect([given.status, given.body.data.stationReference, given.body.data.status]).toEqual([200, 'PMP1-0100', 'open']);
    expectDocumented('setAuthorizationStationReference', 200, given.body);
    const again = await put(`/core/v1/authorizations/${open.id}/station-reference`, { stationReference: 'PMP1-0100' });
    expect([again.status, again.body.data.updatedAt]).toEqual([200, given.body.data.updatedAt]);
    const other = await put(`/core/v1/authorizations/${open.id}/station-reference`, { stationReference: 'PMP1-0101' });
    expect([other.status, other.body.code]).toEqual([409, '4131']);
    expectDocumented('setAuthorizationStationReference', 409, other.body);
    const taken = await put(`/core/v1/authorizations/${voided.id}/station-reference`, { stationReference: 'PMP1-0100' });
    expect([taken.status, taken.body.code]).toEqual([409, '4130']);
    const late = await put(`/core/v1/authorizations/${voided.id}/station-reference`, { stationReference: 'PMP1-0102' });
    expect([late.status, late.body.data.status, late.body.data.stationReference]).toEqual([200, 'voided', 'PMP1-0102']);
    expect((await ledger().getAuthorization({ authorizationId: open.id })).data.stationReference).toBe('PMP1-0100');
    const audited = (await sdk().coreAudit.listAuditEvents({ resourceType: 'authorization', resourceId: open.id })).data.items;
    expect(
      audited.map((event) => [
        event.action,
        (event.before as { stationReference: string | null }).stationReference,
        (event.after as { stationReference: string }).stationReference,
      ]),
    ).toEqual([['authorization.station-reference-set', null, 'PMP1-0100']]);

    const unknown = await put(`/core/v1/authorizations/${UNKNOWN_HOLD}/station-reference`, { stationReference: 'PMP1-0103' });
    expect([unknown.status, unknown.body.code]).toEqual([404, '3014']);
    for (const body of [{}, { stationReference: '' }, { stationReference: 'x'.repeat(65) }, { stationReference: 'PMP1-0104', extra: 1 }]) {
      const invalid = await put(`/core/v1/authorizations/${open.id}/station-reference`, body);
      expect([invalid.status, invalid.body.code]).toEqual([400, '2001']);
    }
    expect(await balances(card.id)).toEqual({ posted: 30000, held: 4000 });
  });
});

describe('answers stored before station references', () => {
  it('when a hold answer stored without a station reference is replayed, then it answers one of null', async () => {
    const card = await fundedCard(9000);
    const idempotencyKey = key();
    const request = { idempotencyKey, authorizationCreate: { cardId: card.id, servicePointId: stationA, amount: xof(2000), service: CardService.Fuel } };
    const first = (await ledger().createAuthorization(request)).data;
    const stripped = await server.database.db.query("UPDATE idempotency_keys SET answer = answer #- '{data,stationReference}' WHERE key = $1 RETURNING 1", [
      idempotencyKey,
    ]);
    expect(stripped).toHaveLength(1);
    const replay = await ledger().createAuthorizationRaw(request);
    expect([replay.raw.headers.get('idempotent-replayed'), (await replay.value()).data]).toEqual(['true', first]);
    expect(await balances(card.id)).toEqual({ posted: 9000, held: 2000 });
  });

  it('when a hold event recorded without a station reference is read from the feed, then it has one of null', async () => {
    const card = await fundedCard(9000);
    const hold = (await coreHold(card.id, stationA, 1000)).data;
    await server.database.db.query("UPDATE events SET data = data - 'stationReference' WHERE resource_id = $1", [hold.id]);
    const feed = await get(`/partner/v1/events?cardId=${card.id}&limit=100`, q.token);
    expect(feed.status).toBe(200);
    expectDocumented('listPartnerEvents', 200, feed.body);
    const created = feed.body.data.items.find((event: { data: { id?: string } }) => event.data.id === hold.id);
    expect(created.data).toMatchObject({ id: hold.id, stationReference: null });
  });
});

describe('listing authorisations', () => {
  it('when the Core lists authorisations, then they come oldest first by cursor pages, filtered by status, card, service point and period', async () => {
    const card = await fundedCard(40000);
    const other = await fundedCard(40000);
    const first = (await coreHold(card.id, stationB, 1000)).data;
    const second = (await coreHold(card.id, stationB, 2000)).data;
    const third = (await coreHold(card.id, stationA, 3000)).data;
    await coreHold(other.id, stationB, 4000);
    await ledger().voidAuthorization({ authorizationId: second.id, idempotencyKey: key() });

    const ids = (items: { id: string }[]) => items.map((item) => item.id);
    expect(ids((await ledger().listAuthorizations({ cardId: card.id })).data.items)).toEqual([first.id, second.id, third.id]);
    expect(ids((await ledger().listAuthorizations({ cardId: card.id, status: AuthorizationStatus.Open })).data.items)).toEqual([first.id, third.id]);
    expect(ids((await ledger().listAuthorizations({ cardId: card.id, status: AuthorizationStatus.Voided })).data.items)).toEqual([second.id]);
    expect(ids((await ledger().listAuthorizations({ cardId: card.id, servicePointId: stationB })).data.items)).toEqual([first.id, second.id]);
    expect(ids((await ledger().listAuthorizations({ cardId: card.id, from: second.createdAt })).data.items)).toEqual([second.id, third.id]);
    expect(ids((await ledger().listAuthorizations({ cardId: card.id, to: second.createdAt })).data.items)).toEqual([first.id]);

    const one = (await ledger().listAuthorizations({ cardId: card.id, limit: 2 })).data;
    expect(ids(one.items)).toEqual([first.id, second.id]);
    const two = (await ledger().listAuthorizations({ cardId: card.id, limit: 2, cursor: one.nextCursor! })).data;
    expect([ids(two.items), two.nextCursor]).toEqual([[third.id], null]);
    const later = (await coreHold(card.id, stationA, 500)).data;
    expect(ids((await ledger().listAuthorizations({ cardId: card.id, cursor: two.resumeCursor! })).data.items)).toEqual([later.id]);

    for (const query of ['status=pending', 'cardId=card-1', 'servicePointId=spt_1', 'from=yesterday', 'limit=0', 'cursor=%2A%2A', 'stationReference=a%20b']) {
      const invalid = await get(`/core/v1/authorizations?${query}`);
      expect([query, invalid.status, invalid.body.code]).toEqual([query, 400, '2001']);
    }
    const partnerToken = await get('/core/v1/authorizations', p.token);
    expect([partnerToken.status, partnerToken.body.code]).toEqual([403, '1006']);
  });

  it("when a partner lists authorisations, then it sees only its own, in its shape, and finds one by the station's reference", async () => {
    const card = await fundedCard(60000);
    const mine = (await stationHold(p, card.number, stationA, 5000, 'TPE-77')).data;
    const theirs = (await stationHold(q, card.number, stationA, 6000, 'TPE-77')).data; // another placer's references are its own
    const byCore = (await coreHold(card.id, stationA, 7000)).data;
    expect([mine.stationReference, theirs.stationReference]).toEqual(['TPE-77', 'TPE-77']);
    const reused = await failure(stationHold(p, card.number, stationA, 1000, 'TPE-77'));
    expect([reused.status, reused.body.code]).toEqual([409, '4130']);
    expectDocumented('createPartnerAuthorization', 409, reused.body);

    const listed = await get(`/partner/v1/authorizations?servicePointId=${stationA}`, p.token);
    expect(listed.status).toBe(200);
    expectDocumented('listPartnerAuthorizations', 200, listed.body);
    const ids = listed.body.data.items.map((item: { id: string }) => item.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    expect(ids).not.toContain(byCore.id);
    expect(listed.body.data.items.every((item: { own: boolean; cardId: unknown }) => item.own === true && item.cardId === null)).toBe(true);

    const found = (await api(p).listPartnerAuthorizations({ servicePointId: stationA, stationReference: 'TPE-77' })).data.items;
    expect(found.map((item) => item.id)).toEqual([mine.id]);
    expect((await api(q).listPartnerAuthorizations({ servicePointId: stationA, stationReference: 'TPE-77' })).data.items.map((item) => item.id)).toEqual([
      theirs.id,
    ]);
    const core = (await ledger().listAuthorizations({ servicePointId: stationA, stationReference: 'TPE-77' })).data.items;
    expect(core.map((item) => item.id)).toEqual([mine.id, theirs.id]);

    // a card filter: within the partner's contracted clients its own holds on the card; otherwise nothing
    expect((await api(q).listPartnerAuthorizations({ cardId: card.id })).data.items.map((item) => item.id)).toEqual([theirs.id]);
    expect((await api(p).listPartnerAuthorizations({ cardId: card.id })).data.items).toEqual([]);

    const foreign = await put(`/partner/v1/authorizations/${theirs.id}/station-reference`, { stationReference: 'TPE-78' }, p.token);
    expect([foreign.status, foreign.body.code]).toEqual([404, '3014']);
    expectDocumented('setPartnerAuthorizationStationReference', 404, foreign.body);
    const unknown = await put(`/partner/v1/authorizations/${UNKNOWN_HOLD}/station-reference`, { stationReference: 'TPE-78' }, p.token);
    const same = (answer: Answer) => ({ ...answer.body, requestId: undefined, debugMessage: answer.body.debugMessage.replace(/hld_[0-9a-f]+/u, 'hld_') });
    expect([unknown.status, same(unknown)]).toEqual([404, same(foreign)]);
    expect((await ledger().getAuthorization({ authorizationId: theirs.id })).data.stationReference).toBe('TPE-77');

    const untagged = (await stationHold(p, card.number, stationA, 2000)).data;
    const tagged = await put(`/partner/v1/authorizations/${untagged.id}/station-reference`, { stationReference: 'TPE-79' }, p.token);
    expect([tagged.status, tagged.body.data.stationReference, tagged.body.data.cardId]).toEqual([200, 'TPE-79', null]);
    expectDocumented('setPartnerAuthorizationStationReference', 200, tagged.body);
    const changed = await put(`/partner/v1/authorizations/${untagged.id}/station-reference`, { stationReference: 'TPE-80' }, p.token);
    expect([changed.status, changed.body.code]).toEqual([409, '4131']);
    const captured = (
      await api(p).capturePartnerAuthorization({
        authorizationId: untagged.id,
        idempotencyKey: key(),
        partnerAuthorizationCapture: {
          amount: xof(1500),
          receiptNumber: `R-${randomUUID()}`,
          externalReference: `X-${randomUUID()}`,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 2000, unitPrice: xof(750) },
        },
      })
    ).data;
    expect([captured.status, captured.stationReference]).toEqual(['captured', 'TPE-79']);
    expect(
      (await api(p).listPartnerAuthorizations({ stationReference: 'TPE-79', status: AuthorizationStatus.Captured })).data.items.map((item) => item.id),
    ).toEqual([untagged.id]);
    expect(await balances(card.id)).toEqual({ posted: 58500, held: 18000 });
  });
});

describe('allowances per transaction', () => {
  it('when a card has per-transaction limits, then its allowances list them, for the Core and for a partner contracted for its client', async () => {
    const card = await fundedCard(0);
    const controls = await put(`/core/v1/cards/${card.id}/controls`, {
      amount: { limits: [{ perTransaction: xof(40000), perDay: xof(90000) }], mode: 'hard' },
      volume: { perTransaction: 60000, mode: 'soft' },
    });
    expect(controls.status).toBe(200);
    const core = await get(`/core/v1/cards/${card.id}/allowances`);
    expectDocumented('getCardAllowances', 200, core.body);
    const perTransaction = [
      {
        measure: 'amount',
        unit: 'XOF',
        scale: 0,
        period: 'transaction',
        source: 'card',
        mode: 'hard',
        limit: 40000,
        used: 0,
        held: 0,
        remaining: 40000,
        periodStart: null,
        resetsAt: null,
      },
      {
        measure: 'volume',
        period: 'transaction',
        source: 'card',
        mode: 'soft',
        limit: 60000,
        used: 0,
        held: 0,
        remaining: 60000,
        periodStart: null,
        resetsAt: null,
      },
    ];
    expect(core.body.data.items.slice(0, 2)).toEqual(perTransaction);
    expect(core.body.data.items.slice(2).map((item: { measure: string; period: string }) => `${item.measure}/${item.period}`)).toEqual(['amount/day']);
    const partner = await get(`/partner/v1/cards/${card.id}/allowances`, q.token);
    expectDocumented('getPartnerCardAllowances', 200, partner.body);
    expect(partner.body.data.items).toEqual(core.body.data.items);
  });
});
