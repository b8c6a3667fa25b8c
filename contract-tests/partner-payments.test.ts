/**
 * The 3rd Party API's payments at the pump: a partner contracted for a
 * service point takes payments there from any member card by its number, idempotently, as
 * its own operations; authorises, captures and voids pay-at-pump holds (its own only); and
 * uploads a terminal's offline batch. A service point outside its contracts answers exactly
 * as an unknown one, and no refusal moves anything.
 */
import { randomUUID } from 'node:crypto';
import { CardService, type PartnerOfflineFill, type PartnerPaymentCreate } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import {
  checkLedgerAfterEach,
  contractedPartner,
  fundedCard as newFundedCard,
  newClient,
  newClientWorld,
  newEnergyType,
  newStation,
  xof,
  type ClientWorld,
} from './support/world';

let server: TestServer;
let token: string;
let owner: ClientWorld;
let networkId: string;
let stationA: string; // contracted by partner p
let stationB: string; // contracted by partner q
let stationC: string; // no contract
let sequence = 0;
const UNKNOWN_STATION = 'spt_000000000000000000000000';
const UNKNOWN_NUMBER = '7070700000000005'; // a valid check digit, no card
const sdk = () => server.sdk({ token });
const key = () => randomUUID();
const next = () => (sequence += 1);

interface Partner {
  id: string;
  token: string;
}
let p: Partner;
let q: Partner;
const api = (partner: Partner) => server.sdk({ token: partner.token }).partner;

async function stationPartner(name: string, servicePointId: string): Promise<Partner> {
  const partner = await contractedPartner(server, sdk(), {
    name,
    scopes: ['partner:payments.write', 'partner:operations.read', 'partner:events.read'],
    servicePointId,
  });
  return { id: partner.id, token: partner.token };
}

async function station(code: string, networkId: string): Promise<string> {
  return (await newStation(sdk(), networkId, code)).id;
}

/** A member card of a client no partner is contracted for, with `value` XOF. */
const fundedCard = (value: number) => newFundedCard(sdk(), owner, value);
const balances = async (cardId: string) => {
  const [account] = (await sdk().coreLedger.listLedgerAccounts({ cardId })).data.items;
  return { posted: account.posted.value, held: account.held.value };
};
const operationCount = async () => (await server.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_operations'))[0].n;

/** A payment of `litres` of GASOIL at 700 XOF/L. */
const fuelPayment = (cardNumber: string, servicePointId: string, litres: number): PartnerPaymentCreate => ({
  cardNumber,
  servicePointId,
  amount: xof(litres * 700),
  service: CardService.Fuel,
  pumpNumber: 4,
  fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(700) },
  receiptNumber: `PP-${next()}`,
  externalReference: `STN-${next()}`,
});

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  owner = await newClientWorld(sdk(), 'STN', { monthlyOfflineCap: xof(100000) });
  networkId = owner.networkId;
  await newEnergyType(sdk(), 'GASOIL', 700);
  stationA = await station('STN-A', networkId);
  stationB = await station('STN-B', networkId);
  stationC = await station('STN-C', networkId);
  p = await stationPartner('Station Plateau SI', stationA);
  q = await stationPartner('Station Marcory SI', stationB);
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

describe('partner payments', () => {
  it("when a contracted station takes a payment by card number, then the card pays, the operation is the partner's own, and a replay answers the same", async () => {
    const card = await fundedCard(50000);
    const body = fuelPayment(card.number, stationA, 20);
    const idempotencyKey = key();
    const first = await api(p).createPartnerPaymentRaw({ idempotencyKey, partnerPaymentCreate: body });
    const paid = (await first.value()).data;
    expect(paid).toEqual({
      id: expect.stringMatching(/^op_/),
      reference: expect.any(String),
      type: 'payment',
      status: 'completed',
      own: true,
      amount: xof(14000),
      cardId: card.id,
      servicePointId: stationA,
      externalReference: body.externalReference,
      receiptNumber: body.receiptNumber,
      service: 'fuel',
      fuel: {
        energyTypeCode: 'GASOIL',
        quantityMl: 20000,
        unitPrice: xof(700),
        pumpPrice: xof(700),
        priceInForce: xof(700),
        discount: xof(0),
        discountAmount: xof(0),
        agreementId: undefined, // null in the JSON; optional (older fills have none), so the SDK reads it as undefined
      },
      pumpNumber: 4,
      odometerKm: null,
      driverCheck: 'no-driver',
      reason: null,
      cancels: null,
      cancelledBy: null,
      corrects: null,
      offline: null,
      createdAt: expect.any(Date),
    });
    expect(first.raw.headers.get('idempotent-replayed')).toBeNull();
    expect(await balances(card.id)).toEqual({ posted: 36000, held: 0 });
    expect((await sdk().coreLedger.getOperation({ operationId: paid.id })).data).toMatchObject({ partnerId: p.id, externalReference: body.externalReference });
    expect((await api(p).getPartnerOperation({ operationId: paid.id })).data).toEqual(paid);
    const foreign = await failure(api(q).getPartnerOperation({ operationId: paid.id })); // another station's partner: not its own, not its client's card
    expect([foreign.status, foreign.body.code]).toEqual([404, '3012']);

    const again = await api(p).createPartnerPaymentRaw({ idempotencyKey, partnerPaymentCreate: { ...body } });
    expect([again.raw.status, again.raw.headers.get('idempotent-replayed'), (await again.value()).data]).toEqual([200, 'true', paid]);
    const other = await failure(
      api(p).createPartnerPayment({ idempotencyKey, partnerPaymentCreate: { ...body, amount: xof(14700), fuel: { ...body.fuel!, quantityMl: 21000 } } }),
    );
    expect([other.status, other.body.code]).toEqual([422, '4031']);
    expectDocumented('createPartnerPayment', 422, other.body);
    expect(await balances(card.id)).toEqual({ posted: 36000, held: 0 });
  });

  it("when the service point is another partner's, of no contract, unknown or of an ended contract, then each is the same 404 3009 and nothing moves", async () => {
    const card = await fundedCard(20000);
    const before = await operationCount();
    for (const servicePointId of [stationB, stationC, UNKNOWN_STATION]) {
      const refused = await failure(api(p).createPartnerPayment({ idempotencyKey: key(), partnerPaymentCreate: fuelPayment(card.number, servicePointId, 10) }));
      expect([refused.status, refused.body.code, refused.body.message, refused.body.debugMessage]).toEqual([
        404,
        '3009',
        expect.any(String),
        `No service point ${servicePointId}`,
      ]);
      expectDocumented('createPartnerPayment', 404, refused.body);
      const hold = await failure(
        api(p).createPartnerAuthorization({
          idempotencyKey: key(),
          partnerAuthorizationCreate: { cardNumber: card.number, servicePointId, amount: xof(5000), service: CardService.Fuel },
        }),
      );
      expect([hold.status, hold.body.code, hold.body.debugMessage]).toEqual([404, '3009', `No service point ${servicePointId}`]);
    }
    const ended = await stationPartner('Station sortante', stationC);
    const [contract] = (await sdk().corePartners.listPartnerContracts({ partnerId: ended.id })).data.items;
    await sdk().corePartners.endPartnerContract({ partnerId: ended.id, contractId: contract.id, partnerContractEnd: { reason: 'Fin du contrat' } });
    const afterEnd = await failure(api(ended).createPartnerPayment({ idempotencyKey: key(), partnerPaymentCreate: fuelPayment(card.number, stationC, 10) }));
    expect([afterEnd.status, afterEnd.body.code]).toEqual([404, '3009']);
    expect(await balances(card.id)).toEqual({ posted: 20000, held: 0 });
    expect(await operationCount()).toBe(before);
  });

  it('when the card number is unknown or fails its check digit, or the reference is reused, then 409 4090, 400 2009, 409 4024 and nothing moves', async () => {
    const card = await fundedCard(30000);
    const unknown = await failure(api(p).createPartnerPayment({ idempotencyKey: key(), partnerPaymentCreate: fuelPayment(UNKNOWN_NUMBER, stationA, 10) }));
    expect([unknown.status, unknown.body.code]).toEqual([409, '4090']);
    const luhn = await failure(api(p).createPartnerPayment({ idempotencyKey: key(), partnerPaymentCreate: fuelPayment('7070700000000006', stationA, 10) }));
    expect([luhn.status, luhn.body.code, luhn.body.errors]).toEqual([400, '2009', [{ path: '/body/cardNumber', message: expect.any(String) }]]);
    const first = fuelPayment(card.number, stationA, 10);
    await api(p).createPartnerPayment({ idempotencyKey: key(), partnerPaymentCreate: first });
    const before = await operationCount();
    const reused = await failure(
      api(p).createPartnerPayment({
        idempotencyKey: key(),
        partnerPaymentCreate: { ...fuelPayment(card.number, stationA, 10), externalReference: first.externalReference },
      }),
    );
    expect([reused.status, reused.body.code]).toEqual([409, '4024']);
    expectDocumented('createPartnerPayment', 409, reused.body);
    // another partner may use the same reference: references are unique per partner
    const elsewhere = await api(q).createPartnerPayment({
      idempotencyKey: key(),
      partnerPaymentCreate: { ...fuelPayment(card.number, stationB, 10), externalReference: first.externalReference },
    });
    expect(elsewhere.data).toMatchObject({ own: true, externalReference: first.externalReference, servicePointId: stationB });
    expect(await operationCount()).toBe(before + 1);
    expect(await balances(card.id)).toEqual({ posted: 16000, held: 0 });
  });

  it('when the card cannot pay (insufficient funds), then 409 4090 without figures or card id, nothing moves and the attempt is kept among its declines with its figures', async () => {
    const card = await fundedCard(5000);
    const refused = await failure(api(p).createPartnerPayment({ idempotencyKey: key(), partnerPaymentCreate: fuelPayment(card.number, stationA, 10) }));
    expect([refused.status, refused.body.code, refused.body.details]).toEqual([409, '4090', undefined]);
    expect(refused.text).not.toMatch(/acc_|crd_|5000|available/);
    expectDocumented('createPartnerPayment', 409, refused.body);
    expect(await balances(card.id)).toEqual({ posted: 5000, held: 0 });
    const declines = (await sdk().coreCards.listCardDeclines({ cardId: card.id })).data.items;
    expect(declines.map((decline) => [decline.code, decline.attempt, decline.servicePointId, decline.actor.id, decline.details])).toEqual([
      ['4010', 'payment', stationA, p.id, expect.objectContaining({ available: xof(5000), requested: xof(7000) })],
    ]);
  });

  it('when a station pays or authorises with a wrong number, a suspended, opposed or expired card, a card of an inactive client or a short balance, then every answer is the same 409 4090, replays too: the pump is no oracle of state or balance', async () => {
    const short = await fundedCard(1000);
    const suspended = await fundedCard(50000);
    await sdk().coreCards.suspendCard({ cardId: suspended.id, cardTransitionRequest: { reason: 'contrôle' } });
    const opposed = await fundedCard(50000);
    await sdk().coreCards.opposeCard({ cardId: opposed.id, cardOppositionRequest: { reason: 'lost' } });
    const expired = await fundedCard(50000);
    await server.database.db.query("UPDATE cards SET expires_at = now() - interval '1 day' WHERE id = $1", [expired.id]);
    const otherClient = await newClient(sdk(), networkId, `FLOTTE-OFF-${next()}`);
    const inactive = await newFundedCard(sdk(), { clientId: otherClient, profileId: owner.profileId }, 50000);
    await sdk().coreReferential.deactivateClient({ clientId: otherClient });
    const before = await operationCount();
    const shapes: unknown[] = [];
    for (const cardNumber of [UNKNOWN_NUMBER, short.number, suspended.number, opposed.number, expired.number, inactive.number as string]) {
      const payment = fuelPayment(cardNumber, stationA, 10);
      const idempotencyKey = key();
      const paid = await failure(api(p).createPartnerPayment({ idempotencyKey, partnerPaymentCreate: payment }));
      const again = await failure(api(p).createPartnerPayment({ idempotencyKey, partnerPaymentCreate: payment }));
      const held = await failure(
        api(p).createPartnerAuthorization({
          idempotencyKey: key(),
          partnerAuthorizationCreate: { cardNumber, servicePointId: stationA, amount: xof(7000), service: CardService.Fuel },
        }),
      );
      expectDocumented('createPartnerPayment', 409, paid.body);
      expectDocumented('createPartnerAuthorization', 409, held.body);
      for (const answer of [paid, again, held]) {
        expect(answer.text).not.toMatch(/crd_|acc_|available|suspend|oppos|expir/iu);
        shapes.push({ status: answer.status, ...answer.body, requestId: undefined });
      }
    }
    expect(new Set(shapes.map((shape) => JSON.stringify(shape)))).toEqual(
      new Set([
        JSON.stringify({
          status: 409,
          success: false,
          code: '4090',
          message: 'Carte refusée',
          debugMessage: 'The card is declined; ask for another means of payment',
          moreInfo: '/docs#error-4090',
          requestId: undefined,
        }),
      ]),
    );
    expect(await operationCount()).toBe(before);
    // the issuer still reads why, among the card's declines
    const reasons = async (cardId: string) => (await sdk().coreCards.listCardDeclines({ cardId })).data.items.map((decline) => decline.code);
    expect([await reasons(short.id), await reasons(suspended.id), await reasons(opposed.id), await reasons(expired.id), await reasons(inactive.id)]).toEqual([
      ['4010', '4010'],
      ['4011', '4011'],
      ['4012', '4012'],
      ['4014', '4014'],
      ['4004', '4004'],
    ]);
  });

  it("when a station's payment is refused by a rule of the card, then the refusal keeps its code but never names the card", async () => {
    const card = await fundedCard(50000);
    const refused = await failure(
      api(p).createPartnerPayment({
        idempotencyKey: key(),
        partnerPaymentCreate: { ...fuelPayment(card.number, stationA, 1), service: CardService.Shop, fuel: undefined, amount: xof(500) },
      }),
    );
    expect([refused.status, refused.body.code, refused.body.debugMessage]).toEqual([
      409,
      '4015',
      'The profile of the card does not allow shop (allowed: fuel)',
    ]);
    expect(refused.text).not.toContain(card.id);
  });

  it('when a partner without partner:payments.write pays, then 403 1006', async () => {
    const reader = await server.partner({ name: 'Lecteur', scopes: ['partner:operations.read'] });
    const readerToken = await server.token(reader.key, reader.secret);
    const refused = await failure(
      server
        .sdk({ token: readerToken })
        .partner.createPartnerPayment({ idempotencyKey: key(), partnerPaymentCreate: fuelPayment(UNKNOWN_NUMBER, stationA, 1) }),
    );
    expect([refused.status, refused.body.code]).toEqual([403, '1006']);
  });
});

describe('partner pay-at-pump', () => {
  it("when a fill is authorised, then the answer gives amount, litres, limitedBy and expiry; a capture above the hold is refused, one below pays as the partner's own", async () => {
    const card = await fundedCard(50000);
    const asked = Date.now();
    const hold = (
      await api(p).createPartnerAuthorization({
        idempotencyKey: key(),
        partnerAuthorizationCreate: {
          cardNumber: card.number,
          servicePointId: stationA,
          amount: xof(14000),
          service: CardService.Fuel,
          energyTypeCode: 'GASOIL',
          pumpNumber: 2,
        },
      })
    ).data;
    expect(hold).toMatchObject({
      status: 'open',
      own: true,
      cardId: null,
      servicePointId: stationA,
      amount: xof(14000),
      requested: xof(14000),
      quantityMl: 20000,
      limitedBy: 'request',
      energyTypeCode: 'GASOIL',
    });
    expect(hold).not.toHaveProperty('vehicleId');
    expect(Math.abs(hold.expiresAt.getTime() - (asked + 900_000))).toBeLessThan(60_000);
    expect((await api(p).getPartnerAuthorization({ authorizationId: hold.id })).data).toEqual(hold);
    expect(await balances(card.id)).toEqual({ posted: 50000, held: 14000 });

    const above = await failure(
      api(p).capturePartnerAuthorization({
        authorizationId: hold.id,
        idempotencyKey: key(),
        partnerAuthorizationCapture: { amount: xof(14700), receiptNumber: `PP-${next()}`, externalReference: `STN-${next()}` },
      }),
    );
    expect([above.status, above.body.code]).toEqual([409, '4043']);
    expectDocumented('capturePartnerAuthorization', 409, above.body);
    const moreLitres = await failure(
      api(p).capturePartnerAuthorization({
        authorizationId: hold.id,
        idempotencyKey: key(),
        partnerAuthorizationCapture: {
          amount: xof(14000),
          receiptNumber: `PP-${next()}`,
          externalReference: `STN-${next()}`,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 20001, unitPrice: xof(700) },
        },
      }),
    );
    expect([moreLitres.status, moreLitres.body.code]).toEqual([409, '4043']);
    expect(await balances(card.id)).toEqual({ posted: 50000, held: 14000 });

    const externalReference = `STN-${next()}`;
    const captured = (
      await api(p).capturePartnerAuthorization({
        authorizationId: hold.id,
        idempotencyKey: key(),
        partnerAuthorizationCapture: {
          amount: xof(7000),
          receiptNumber: `PP-${next()}`,
          externalReference,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 10000, unitPrice: xof(700) },
        },
      })
    ).data;
    expect(captured).toMatchObject({ status: 'captured', own: true, cardId: null, captured: xof(7000), paymentId: expect.stringMatching(/^op_/) });
    expect(await balances(card.id)).toEqual({ posted: 43000, held: 0 });
    expect((await api(p).getPartnerOperation({ operationId: captured.paymentId! })).data).toMatchObject({
      type: 'payment',
      own: true,
      externalReference,
      amount: xof(7000),
      pumpNumber: 2,
    });

    const second = (
      await api(p).createPartnerAuthorization({
        idempotencyKey: key(),
        partnerAuthorizationCreate: { cardNumber: card.number, servicePointId: stationA, amount: xof(7000), service: CardService.Fuel },
      })
    ).data;
    const reused = await failure(
      api(p).capturePartnerAuthorization({
        authorizationId: second.id,
        idempotencyKey: key(),
        partnerAuthorizationCapture: {
          amount: xof(7000),
          receiptNumber: `PP-${next()}`,
          externalReference,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 10000, unitPrice: xof(700) },
        },
      }),
    );
    expect([reused.status, reused.body.code]).toEqual([409, '4024']);
    expect((await api(p).getPartnerAuthorization({ authorizationId: second.id })).data.status).toBe('open');
    expect(await balances(card.id)).toEqual({ posted: 43000, held: 7000 });
  });

  it("when the balance is below what is asked, then the station's authorisation is declined, never cut to the balance; one within it is held in the partner's shape, and a void releases it", async () => {
    const card = await fundedCard(7000);
    const above = await failure(
      api(p).createPartnerAuthorization({
        idempotencyKey: key(),
        partnerAuthorizationCreate: {
          cardNumber: card.number,
          servicePointId: stationA,
          amount: xof(30000),
          service: CardService.Fuel,
          energyTypeCode: 'GASOIL',
        },
      }),
    );
    expect([above.status, above.body.code, above.body.details]).toEqual([409, '4090', undefined]);
    expect(above.text).not.toMatch(/7000|crd_/);
    expect(await balances(card.id)).toEqual({ posted: 7000, held: 0 });
    const [decline] = (await sdk().coreCards.listCardDeclines({ cardId: card.id })).data.items;
    expect([decline.code, decline.attempt, decline.details]).toEqual([
      '4010',
      'authorization',
      expect.objectContaining({ available: xof(7000), requested: xof(30000) }),
    ]);
    const hold = (
      await api(p).createPartnerAuthorization({
        idempotencyKey: key(),
        partnerAuthorizationCreate: {
          cardNumber: card.number,
          servicePointId: stationA,
          amount: xof(7000),
          service: CardService.Fuel,
          energyTypeCode: 'GASOIL',
        },
      })
    ).data;
    expect(hold).toMatchObject({ own: true, cardId: null, amount: xof(7000), requested: xof(7000), quantityMl: 10000, limitedBy: 'request' });
    expect(await balances(card.id)).toEqual({ posted: 7000, held: 7000 });
    const voided = (await api(p).voidPartnerAuthorization({ authorizationId: hold.id, idempotencyKey: key() })).data;
    expect([voided.status, voided.own, voided.cardId, voided.captured, voided.paymentId]).toEqual(['voided', true, null, null, null]);
    expect(await balances(card.id)).toEqual({ posted: 7000, held: 0 });
    const twice = await failure(api(p).voidPartnerAuthorization({ authorizationId: hold.id, idempotencyKey: key() }));
    expect([twice.status, twice.body.code]).toEqual([409, '4044']);
  });

  it('when a station asks to hold a card for a day, then the hold lasts PARTNER_HOLD_MAX_SECONDS (1800 here) and its expiry says so', async () => {
    const card = await fundedCard(20000);
    const asked = Date.now();
    const hold = (
      await api(p).createPartnerAuthorization({
        idempotencyKey: key(),
        partnerAuthorizationCreate: { cardNumber: card.number, servicePointId: stationA, amount: xof(7000), service: CardService.Fuel, holdSeconds: 86400 },
      })
    ).data;
    expect(Math.abs(hold.expiresAt.getTime() - (asked + 1_800_000))).toBeLessThan(60_000);
    const short = (
      await api(p).createPartnerAuthorization({
        idempotencyKey: key(),
        partnerAuthorizationCreate: { cardNumber: card.number, servicePointId: stationA, amount: xof(7000), service: CardService.Fuel, holdSeconds: 120 },
      })
    ).data;
    expect(Math.abs(short.expiresAt.getTime() - (asked + 120_000))).toBeLessThan(60_000);
    for (const id of [hold.id, short.id]) await api(p).voidPartnerAuthorization({ authorizationId: id, idempotencyKey: key() });
  });

  it("when a station's contract ends, then its open authorisations there are voided with it, and none is captured afterwards (4044, or 4064 for one placed as it ended); a void still releases", async () => {
    const servicePointId = await station(`STN-END-${next()}`, networkId);
    const leaving = await stationPartner('Station en fin de contrat', servicePointId);
    const card = await fundedCard(30000);
    const authorise = async () =>
      (
        await api(leaving).createPartnerAuthorization({
          idempotencyKey: key(),
          partnerAuthorizationCreate: { cardNumber: card.number, servicePointId, amount: xof(7000), service: CardService.Fuel, energyTypeCode: 'GASOIL' },
        })
      ).data;
    const capture = (authorizationId: string) =>
      api(leaving).capturePartnerAuthorization({
        authorizationId,
        idempotencyKey: key(),
        partnerAuthorizationCapture: {
          amount: xof(7000),
          receiptNumber: `PP-${next()}`,
          externalReference: `STN-${next()}`,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 10000, unitPrice: xof(700) },
        },
      });
    const [first, second] = [await authorise(), await authorise()];
    expect(await balances(card.id)).toEqual({ posted: 30000, held: 14000 });
    const [contract] = (await sdk().corePartners.listPartnerContracts({ partnerId: leaving.id })).data.items;
    await sdk().corePartners.endPartnerContract({ partnerId: leaving.id, contractId: contract.id, partnerContractEnd: { reason: 'Fin du contrat' } });
    expect(await balances(card.id)).toEqual({ posted: 30000, held: 0 });
    for (const hold of [first, second]) {
      expect((await api(leaving).getPartnerAuthorization({ authorizationId: hold.id })).data.status).toBe('voided');
      const late = await failure(capture(hold.id));
      expect([late.status, late.body.code]).toEqual([409, '4044']);
    }
    // a hold placed while the contract was ending (its end did not see it): never captured, still voided
    const again = await stationPartner('Station en fin de contrat bis', servicePointId);
    const racing = (
      await api(again).createPartnerAuthorization({
        idempotencyKey: key(),
        partnerAuthorizationCreate: { cardNumber: card.number, servicePointId, amount: xof(7000), service: CardService.Fuel, energyTypeCode: 'GASOIL' },
      })
    ).data;
    await server.database.db.query("UPDATE partner_contracts SET ended_at = now(), end_reason = 'fin' WHERE partner_id = $1", [again.id]);
    const refused = await failure(
      api(again).capturePartnerAuthorization({
        authorizationId: racing.id,
        idempotencyKey: key(),
        partnerAuthorizationCapture: {
          amount: xof(7000),
          receiptNumber: `PP-${next()}`,
          externalReference: `STN-${next()}`,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 10000, unitPrice: xof(700) },
        },
      }),
    );
    expect([refused.status, refused.body.code]).toEqual([409, '4064']);
    expectDocumented('capturePartnerAuthorization', 409, refused.body);
    expect(await balances(card.id)).toEqual({ posted: 30000, held: 7000 });
    expect((await api(again).voidPartnerAuthorization({ authorizationId: racing.id, idempotencyKey: key() })).data.status).toBe('voided');
    expect(await balances(card.id)).toEqual({ posted: 30000, held: 0 });
    expect((await sdk().coreLedger.listOperations({ cardId: card.id })).data.items.filter((operation) => operation.type === 'payment')).toEqual([]);
  });

  it('when a station places and voids an authorisation, then its own events feed gives both, in the shape of its answers (no card id), and another station sees neither', async () => {
    const card = await fundedCard(50000);
    const placed = (
      await api(p).createPartnerAuthorization({
        idempotencyKey: key(),
        partnerAuthorizationCreate: { cardNumber: card.number, servicePointId: stationA, amount: xof(7000), service: CardService.Fuel },
      })
    ).data;
    const voided = (await api(p).voidPartnerAuthorization({ idempotencyKey: key(), authorizationId: placed.id })).data;
    const holdEvents = async (partner: Partner) => {
      const items = [];
      for (let cursor: string | undefined; ; ) {
        const page = (await api(partner).listPartnerEvents({ cursor, limit: 100 })).data;
        items.push(...page.items.filter((event) => event.resourceId === placed.id));
        if (!page.hasMore) return items;
        cursor = page.nextCursor ?? undefined;
      }
    };
    const events = await holdEvents(p);
    expect(events.map((event) => [event.type, event.data])).toEqual([
      ['hold.created', placed],
      ['hold.voided', voided],
    ]);
    expect(await holdEvents(q)).toEqual([]);
  });

  it("when a partner names another partner's authorisation, a Core one or an unknown id, then get, capture and void are the same 404 3014 and nothing moves", async () => {
    const card = await fundedCard(20000);
    const theirs = (
      await api(q).createPartnerAuthorization({
        idempotencyKey: key(),
        partnerAuthorizationCreate: { cardNumber: card.number, servicePointId: stationB, amount: xof(5000), service: CardService.Fuel },
      })
    ).data;
    const core = (
      await sdk().coreLedger.createAuthorization({
        idempotencyKey: key(),
        authorizationCreate: { cardId: card.id, servicePointId: stationA, amount: xof(5000), service: CardService.Fuel },
      })
    ).data;
    for (const authorizationId of [theirs.id, core.id, 'hld_000000000000000000000000']) {
      const read = await failure(api(p).getPartnerAuthorization({ authorizationId }));
      const capture = await failure(
        api(p).capturePartnerAuthorization({
          authorizationId,
          idempotencyKey: key(),
          partnerAuthorizationCapture: { amount: xof(100), receiptNumber: `PP-${next()}`, externalReference: `STN-${next()}` },
        }),
      );
      const voided = await failure(api(p).voidPartnerAuthorization({ authorizationId, idempotencyKey: key() }));
      for (const [operationId, answer] of [
        ['getPartnerAuthorization', read],
        ['capturePartnerAuthorization', capture],
        ['voidPartnerAuthorization', voided],
      ] as const) {
        expect([answer.status, answer.body.code, answer.body.debugMessage]).toEqual([404, '3014', `No authorisation ${authorizationId}`]);
        expectDocumented(operationId, 404, answer.body);
      }
    }
    expect(await balances(card.id)).toEqual({ posted: 20000, held: 10000 });
    expect((await api(q).getPartnerAuthorization({ authorizationId: theirs.id })).data.status).toBe('open');
  });
});

describe('partner offline fills', () => {
  const offlineFill = (cardNumber: string, litres: number, occurredAt = new Date()): PartnerOfflineFill => {
    const n = next();
    return {
      terminalTransactionId: `TPE-P-${n}`,
      occurredAt,
      cardNumber,
      amount: xof(litres * 700),
      service: CardService.Fuel,
      fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(700) },
      pumpNumber: 1,
      receiptNumber: `OFF-${n}`,
    };
  };

  it("when a contracted station uploads its batch, then known cards are booked as the partner's, an unknown number refuses its fill only, and a second upload books nothing twice", async () => {
    const card = await fundedCard(5000);
    const fills = [offlineFill(card.number, 10), offlineFill(UNKNOWN_NUMBER, 5)];
    const { data } = await api(p).uploadPartnerOfflineFills({ servicePointId: stationA, partnerOfflineFillBatch: { terminalId: 'TPE-P', fills } });
    expect(data.results.map((result) => [result.status, result.balanceAfter, result.error?.code ?? null])).toEqual([
      ['booked', null, null],
      ['refused', null, '4090'],
    ]);
    expect(await balances(card.id)).toEqual({ posted: -2000, held: 0 }); // booked below zero: the fuel is in the tank
    const booked = (await api(p).getPartnerOperation({ operationId: data.results[0].operationId! })).data;
    expect(booked).toMatchObject({
      type: 'payment',
      own: true,
      cardId: card.id,
      servicePointId: stationA,
      offline: { terminalId: 'TPE-P', terminalTransactionId: fills[0].terminalTransactionId },
    });
    const again = (await api(p).uploadPartnerOfflineFills({ servicePointId: stationA, partnerOfflineFillBatch: { terminalId: 'TPE-P', fills: [fills[0]] } }))
      .data;
    expect(again.results.map((result) => [result.status, result.operationId])).toEqual([['already-booked', data.results[0].operationId]]);
    expect(await balances(card.id)).toEqual({ posted: -2000, held: 0 });
  });

  it("when a fill is dated before the offline window or before the card's issue, then a real card's answer is an unknown number's: the upload is no oracle of a card or its issue date", async () => {
    const card = await fundedCard(5000);
    const answers = async (occurredAt: Date) => {
      const fills = [offlineFill(card.number, 1, occurredAt), offlineFill(UNKNOWN_NUMBER, 1, occurredAt)];
      const { results } = (await api(p).uploadPartnerOfflineFills({ servicePointId: stationA, partnerOfflineFillBatch: { terminalId: 'TPE-O', fills } })).data;
      return results.map(({ status, operationId, error }) => ({ status, operationId, error }));
    };
    const [real, unknown] = await answers(new Date('1970-01-01T00:00:00Z'));
    expect(real).toEqual(unknown);
    expect([real.error?.code, real.error?.debugMessage]).toEqual(['4091', expect.stringMatching(/before the partner's contract|offline window/)]);
    const issued = (await sdk().coreCards.getCard({ cardId: card.id })).data.createdAt;
    const [beforeIssue, unknownThen] = await answers(new Date(issued.getTime() - 1));
    expect(beforeIssue).toEqual(unknownThen);
    expect(beforeIssue.error?.code).toBe('4090');
    expect(JSON.stringify(beforeIssue)).not.toContain(card.id);
    expect(await balances(card.id)).toEqual({ posted: 5000, held: 0 });
  });

  it('when two partners of one station use the same terminal, transaction ids and receipt numbers, then each books its own fills: keys are per partner', async () => {
    const card = await fundedCard(50000);
    const other = await stationPartner('Station Plateau bis', stationA); // a second station system at the same service point
    const fills = [offlineFill(card.number, 5), offlineFill(card.number, 5)];
    const mine = (await api(p).uploadPartnerOfflineFills({ servicePointId: stationA, partnerOfflineFillBatch: { terminalId: 'TPE-SHARED', fills } })).data;
    expect(mine.results.map((result) => result.status)).toEqual(['booked', 'booked']);
    // the other partner's terminal reuses the ids: the first fill identical, the second for another amount
    const copied = [fills[0], { ...fills[1], amount: xof(700), fuel: { energyTypeCode: 'GASOIL', quantityMl: 1000, unitPrice: xof(700) } }];
    const theirs = (
      await api(other).uploadPartnerOfflineFills({ servicePointId: stationA, partnerOfflineFillBatch: { terminalId: 'TPE-SHARED', fills: copied } })
    ).data;
    expect(theirs.results.map((result) => [result.status, result.error])).toEqual([
      ['booked', null],
      ['booked', null],
    ]);
    expect(theirs.results.map((result) => result.operationId)).not.toContain(mine.results[0].operationId);
    for (const result of theirs.results) expect((await api(other).getPartnerOperation({ operationId: result.operationId! })).data).toMatchObject({ own: true });
    // each partner's upload again finds its own fills, never the other's
    expect(
      (await api(p).uploadPartnerOfflineFills({ servicePointId: stationA, partnerOfflineFillBatch: { terminalId: 'TPE-SHARED', fills } })).data.results.map(
        (result) => [result.status, result.operationId],
      ),
    ).toEqual(mine.results.map((result) => ['already-booked', result.operationId]));
    expect(
      (
        await api(other).uploadPartnerOfflineFills({ servicePointId: stationA, partnerOfflineFillBatch: { terminalId: 'TPE-SHARED', fills: copied } })
      ).data.results.map((result) => [result.status, result.operationId]),
    ).toEqual(theirs.results.map((result) => ['already-booked', result.operationId]));
    // a receipt number of one partner's payment does not refuse the other's, but still refuses the same partner's
    const paid = fuelPayment(card.number, stationA, 2);
    await api(p).createPartnerPayment({ idempotencyKey: key(), partnerPaymentCreate: paid });
    const sameReceipt = await api(other).createPartnerPayment({
      idempotencyKey: key(),
      partnerPaymentCreate: { ...fuelPayment(card.number, stationA, 2), receiptNumber: paid.receiptNumber },
    });
    expect(sameReceipt.data).toMatchObject({ own: true, receiptNumber: paid.receiptNumber });
    const reused = await failure(
      api(p).createPartnerPayment({
        idempotencyKey: key(),
        partnerPaymentCreate: { ...fuelPayment(card.number, stationA, 2), receiptNumber: paid.receiptNumber },
      }),
    );
    expect([reused.status, reused.body.code]).toEqual([409, '4022']);
    expect(await balances(card.id)).toEqual({ posted: 50000 - 3500 * 3 - 700 - 1400 * 2, held: 0 });
  });

  it('when a station uploads a fill dated before its contract for the service point began, then that fill is refused 4091', async () => {
    const card = await fundedCard(50000);
    const servicePointId = await station(`STN-NEW-${next()}`, networkId);
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const newcomer = await stationPartner('Station nouvellement contractée', servicePointId);
    const { data } = await api(newcomer).uploadPartnerOfflineFills({
      servicePointId,
      partnerOfflineFillBatch: { terminalId: 'TPE-N', fills: [offlineFill(card.number, 5, between), offlineFill(card.number, 5)] },
    });
    expect(data.results.map((result) => [result.status, result.error?.code ?? null])).toEqual([
      ['refused', '4091'],
      ['booked', null],
    ]);
    expect(data.results[0].error?.debugMessage).toMatch(/before the partner's contract for the service point/);
    expect(await balances(card.id)).toEqual({ posted: 50000 - 3500, held: 0 });
  });

  it('when the service point is not contracted or a number fails its check digit, then the batch is refused whole and nothing is booked', async () => {
    const card = await fundedCard(5000);
    const before = await operationCount();
    for (const servicePointId of [stationB, stationC, UNKNOWN_STATION]) {
      const refused = await failure(
        api(p).uploadPartnerOfflineFills({ servicePointId, partnerOfflineFillBatch: { terminalId: 'TPE-P', fills: [offlineFill(card.number, 1)] } }),
      );
      expect([refused.status, refused.body.code, refused.body.debugMessage]).toEqual([404, '3009', `No service point ${servicePointId}`]);
      expectDocumented('uploadPartnerOfflineFills', 404, refused.body);
    }
    const luhn = await failure(
      api(p).uploadPartnerOfflineFills({
        servicePointId: stationA,
        partnerOfflineFillBatch: { terminalId: 'TPE-P', fills: [offlineFill(card.number, 1), offlineFill('7070700000000006', 1)] },
      }),
    );
    expect([luhn.status, luhn.body.code, luhn.body.errors]).toEqual([400, '2009', [{ path: '/body/fills/1/cardNumber', message: expect.any(String) }]]);
    expect(await operationCount()).toBe(before);
    expect(await balances(card.id)).toEqual({ posted: 5000, held: 0 });
  });
});
