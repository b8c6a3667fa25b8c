/**
 * Prices charged: a fuel payment's unit price checked against the price in force within the
 * price tolerance of its service point or network (hard: refused with the figures; soft, and
 * by default: approved with a `price-deviation` exception), on Core and station payments,
 * pump captures and offline fills (flagged, never refused); and clients' price agreements
 * (a discount per litre or a negotiated price, dated), charged at the client's price with the
 * pump price, the client's price and the discount kept and shown on the card's statement.
 */
import { randomUUID } from 'node:crypto';
import { CardService, type OfflineFill, type PriceTolerance } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import {
  checkLedgerAfterEach,
  contractedPartner,
  fundedCard,
  newClient,
  newClientWorld,
  newEnergyType,
  newStation,
  xof,
  type ClientWorld,
  type Station,
} from './support/world';

let server: TestServer;
let token: string;
let owner: ClientWorld;
let station: Station;
let sequence = 0;
const sdk = () => server.sdk({ token });
const ledger = () => sdk().coreLedger;
const referential = () => sdk().coreReferential;
const key = () => randomUUID();
const next = () => (sequence += 1);

/** PRICE: GASOIL's price in force (XOF per litre, incl. tax). */
const PRICE = 715;
const tolerance = (mode: 'hard' | 'soft', above: number, below: number): PriceTolerance => ({ mode, above: xof(above), below: xof(below) }) as PriceTolerance;

/** A payment of `litres` of GASOIL at `unitPrice` XOF/L (the amount as the pump computes it). */
const fuelPayment = (cardId: string, litres: number, unitPrice: number, servicePointId = station.id) =>
  ledger().createPayment({
    idempotencyKey: key(),
    paymentCreate: {
      cardId,
      servicePointId,
      amount: xof(Math.round(litres * unitPrice)),
      service: CardService.Fuel,
      receiptNumber: `PR-${next()}`,
      fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(unitPrice) },
    },
  });
const offlineFill = (cardId: string, litres: number, unitPrice: number): OfflineFill => ({
  terminalTransactionId: `TPE-PR-${next()}`,
  occurredAt: new Date(),
  cardId,
  amount: xof(litres * unitPrice),
  service: CardService.Fuel,
  fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(unitPrice) },
  receiptNumber: `OFF-PR-${sequence}`,
});
const posted = async (cardId: string) => (await ledger().listLedgerAccounts({ cardId })).data.items[0].posted.value;
const exceptions = async (cardId: string) => (await sdk().coreCards.listCardExceptions({ cardId })).data.items;
const count = async (sql: string, params: unknown[] = []) =>
  (await server.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n;
const setNetworkTolerance = (priceTolerance: PriceTolerance | null, networkId = owner.networkId) =>
  referential().updateNetwork({ networkId, networkUpdate: { priceTolerance } });

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  owner = await newClientWorld(sdk(), 'PRIX');
  station = await newStation(sdk(), owner.networkId, 'STATION-PRIX');
  await newEnergyType(sdk(), 'GASOIL');
  await referential().createEnergyPrice({
    energyTypeCode: 'GASOIL',
    energyPriceCreate: {
      effectiveAt: new Date('2026-01-01T00:00:00Z'),
      priceInclTax: xof(PRICE),
      priceExclVat: xof(606),
      priceExclTaxAndCustoms: xof(540),
      priceExclAllTaxes: xof(498),
    },
  });
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

describe('the unit price charged', () => {
  it('when no tolerance is set, then the price in force passes unflagged and any other is approved with a price-deviation exception and its event', async () => {
    await setNetworkTolerance(null);
    const cardId = (await fundedCard(sdk(), owner, 1000000)).id;
    await fuelPayment(cardId, 10, PRICE);
    expect(await exceptions(cardId)).toEqual([]);
    const dear = (await fuelPayment(cardId, 10, 10000)).data;
    expect(dear.amount).toEqual(xof(100000));
    const [flag] = await exceptions(cardId);
    expect(flag).toMatchObject({
      kind: 'price-deviation',
      rule: null,
      operationId: dear.id,
      details: {
        unitPrice: 10000,
        priceInForce: PRICE,
        deviation: 10000 - PRICE,
        direction: 'above',
        allowed: 0,
        unit: 'XOF',
        scale: 0,
        mode: 'soft',
        source: 'default',
      },
    });
    expect(await count("events WHERE type = 'exception.raised' AND resource_id = $1", [flag.id])).toBe(1);
  });

  it("when the network's tolerance is hard, then 10,000 and 1 XOF/L are refused 4120 with the figures, nothing moves and no decline is kept; within it, approved", async () => {
    await setNetworkTolerance(tolerance('hard', 10, 50));
    expect((await referential().getNetwork({ networkId: owner.networkId })).data.priceTolerance).toEqual(tolerance('hard', 10, 50));
    const cardId = (await fundedCard(sdk(), owner, 1000000)).id;
    const operations = await count('ledger_operations');
    for (const [unitPrice, direction, allowed] of [
      [10000, 'above', 10],
      [1, 'below', 50],
    ] as const) {
      const refused = await failure(fuelPayment(cardId, 10, unitPrice));
      expect([refused.status, refused.body.code, refused.body.details]).toEqual([
        409,
        '4120',
        { unitPrice, priceInForce: PRICE, deviation: unitPrice - PRICE, direction, allowed, unit: 'XOF', scale: 0, mode: 'hard', source: 'network' },
      ]);
      expectDocumented('createPayment', 409, refused.body);
    }
    expect(await count('ledger_operations')).toBe(operations);
    expect(await posted(cardId)).toBe(1000000);
    expect((await sdk().coreCards.listCardDeclines({ cardId })).data.items).toEqual([]);
    await fuelPayment(cardId, 10, PRICE + 10);
    await fuelPayment(cardId, 10, PRICE - 50);
    expect(await posted(cardId)).toBe(1000000 - 10 * (PRICE + 10) - 10 * (PRICE - 50));
    expect(await exceptions(cardId)).toEqual([]);
  });

  it("when a service point overrides its network's tolerance, then its own applies, and cleared, the network's again", async () => {
    await setNetworkTolerance(tolerance('hard', 0, 0));
    const other = await newStation(sdk(), owner.networkId, 'STATION-PRIX-SOUPLE');
    const cardId = (await fundedCard(sdk(), owner, 1000000)).id;
    const point = await referential().updateServicePoint({ servicePointId: other.id, servicePointUpdate: { priceTolerance: tolerance('soft', 0, 0) } });
    expect(point.data.priceTolerance).toEqual(tolerance('soft', 0, 0));
    const flagged = (await fuelPayment(cardId, 10, 720, other.id)).data;
    expect((await exceptions(cardId)).map((item) => [item.operationId, item.details])).toEqual([
      [flagged.id, expect.objectContaining({ mode: 'soft', source: 'service-point', deviation: 5 })],
    ]);
    expect((await failure(fuelPayment(cardId, 10, 720))).body.code).toBe('4120');
    await referential().updateServicePoint({ servicePointId: other.id, servicePointUpdate: { priceTolerance: null } });
    const refused = await failure(fuelPayment(cardId, 10, 720, other.id));
    expect([refused.body.code, refused.body.details]).toEqual(['4120', expect.objectContaining({ source: 'network', mode: 'hard' })]);
  });

  it('when a pump authorisation is captured at a price beyond a hard tolerance, then the capture is refused 4120 and the hold stays open; at the price in force it is captured', async () => {
    await setNetworkTolerance(tolerance('hard', 0, 0));
    const cardId = (await fundedCard(sdk(), owner, 100000)).id;
    const hold = (
      await ledger().createAuthorization({
        idempotencyKey: key(),
        authorizationCreate: { cardId, servicePointId: station.id, amount: xof(50000), service: CardService.Fuel, energyTypeCode: 'GASOIL' },
      })
    ).data;
    const capture = (unitPrice: number) =>
      ledger().captureAuthorization({
        authorizationId: hold.id,
        idempotencyKey: key(),
        authorizationCapture: {
          amount: xof(20 * unitPrice),
          receiptNumber: `CAP-${next()}`,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 20000, unitPrice: xof(unitPrice) },
        },
      });
    const refused = await failure(capture(800));
    expect([refused.status, refused.body.code]).toEqual([409, '4120']);
    expectDocumented('captureAuthorization', 409, refused.body);
    expect((await ledger().getAuthorization({ authorizationId: hold.id })).data.status).toBe('open');
    expect((await capture(PRICE)).data).toMatchObject({ status: 'captured', captured: xof(20 * PRICE) });
    expect(await posted(cardId)).toBe(100000 - 20 * PRICE);
  });

  it("when a station's payment is beyond a hard tolerance, then it is 4120 with the figures (not the card's 4090)", async () => {
    await setNetworkTolerance(tolerance('hard', 0, 20));
    const partner = await contractedPartner(server, sdk(), { name: 'Station Prix SI', scopes: ['partner:payments.write'], servicePointId: station.id });
    const card = await fundedCard(sdk(), owner, 100000);
    const pay = (unitPrice: number) =>
      server.sdk({ token: partner.token }).partner.createPartnerPayment({
        idempotencyKey: key(),
        partnerPaymentCreate: {
          cardNumber: card.number,
          servicePointId: station.id,
          amount: xof(10 * unitPrice),
          service: CardService.Fuel,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 10000, unitPrice: xof(unitPrice) },
          receiptNumber: `PP-${next()}`,
          externalReference: `STN-PR-${sequence}`,
        },
      });
    const refused = await failure(pay(10000));
    expect([refused.status, refused.body.code, refused.body.details]).toEqual([
      409,
      '4120',
      expect.objectContaining({ unitPrice: 10000, priceInForce: PRICE }),
    ]);
    expectDocumented('createPartnerPayment', 409, refused.body);
    expect((await pay(PRICE - 20)).data.amount).toEqual(xof(10 * (PRICE - 20)));
    expect(await posted(card.id)).toBe(100000 - 10 * (PRICE - 20));
  });

  it('when an offline fill was served beyond a hard tolerance, then it is booked and flagged, never refused', async () => {
    await setNetworkTolerance(tolerance('hard', 0, 0));
    const cardId = (await fundedCard(sdk(), owner, 100000)).id;
    const fill = offlineFill(cardId, 10, 900);
    const [result] = (await ledger().uploadOfflineFills({ servicePointId: station.id, offlineFillBatch: { terminalId: 'TPE-PR', fills: [fill] } })).data
      .results;
    expect(result).toMatchObject({ status: 'booked', error: null });
    const flags = (await exceptions(cardId)).filter((item) => item.kind === 'price-deviation'); // the profile's offline cap flags it too
    expect(flags.map((item) => [item.kind, item.operationId, item.details])).toEqual([
      ['price-deviation', result.operationId, expect.objectContaining({ unitPrice: 900, mode: 'hard', source: 'network' })],
    ]);
    expect(await posted(cardId)).toBe(100000 - 9000);
  });
});

describe("clients' price agreements", () => {
  it('when a client has a discount per litre, then its card is charged at its price, the station receives that, and the fuel record and the statement show the discount', async () => {
    await setNetworkTolerance(null);
    const clientId = await newClient(sdk(), owner.networkId, 'FLOTTE-REMISE');
    const agreement = (
      await referential().createPriceAgreement({
        clientId,
        priceAgreementCreate: {
          energyTypeCode: 'GASOIL',
          kind: 'discount',
          value: xof(10) as never,
          effectiveAt: new Date('2026-01-01T00:00:00Z'),
          comment: 'Contrat flotte',
        },
      })
    ).data;
    expect(agreement).toMatchObject({ clientId, energyTypeCode: 'GASOIL', kind: 'discount', value: xof(10), comment: 'Contrat flotte' });
    const cardId = (await fundedCard(sdk(), { clientId, profileId: owner.profileId }, 100000)).id;
    const stationBefore = await posted(station.cardId);
    const from = new Date(Date.now() - 60000);
    const payment = (await fuelPayment(cardId, 20, PRICE)).data;
    expect(payment.amount).toEqual(xof(20 * (PRICE - 10)));
    expect(payment.fuel).toEqual({
      energyTypeCode: 'GASOIL',
      quantityMl: 20000,
      unitPrice: xof(PRICE - 10),
      pumpPrice: xof(PRICE),
      priceInForce: xof(PRICE),
      discount: xof(10),
      discountAmount: xof(200),
      agreementId: agreement.id,
    });
    expect((await ledger().getOperation({ operationId: payment.id })).data.fuel).toEqual(payment.fuel);
    expect(await posted(cardId)).toBe(100000 - 20 * (PRICE - 10));
    expect((await posted(station.cardId)) - stationBefore).toBe(20 * (PRICE - 10));
    expect(await exceptions(cardId)).toEqual([]); // the pump price is the price in force
    const statement = (await ledger().getCardStatement({ cardId, unit: 'XOF', from, to: new Date(Date.now() + 1000) })).data;
    expect(statement.lines.map((line) => [line.type, line.amount, line.discount])).toEqual([
      ['regularisation', xof(100000), xof(0)],
      ['payment', xof(-20 * (PRICE - 10)), xof(200)],
    ]);
    // a card of a client without agreement pays the pump price
    const plain = (await fundedCard(sdk(), owner, 100000)).id;
    expect((await fuelPayment(plain, 20, PRICE)).data.fuel).toMatchObject({
      unitPrice: xof(PRICE),
      discount: xof(0),
      discountAmount: xof(0),
      agreementId: undefined, // null in the JSON; optional (older fills have none), so the SDK reads it as undefined
    });
  });

  it('when a pump authorisation of a client with a discount is captured, then the card is charged at the client price, the station receives that and the rest of the hold is released', async () => {
    await setNetworkTolerance(null);
    const clientId = await newClient(sdk(), owner.networkId, 'FLOTTE-POMPE');
    const agreement = (
      await referential().createPriceAgreement({
        clientId,
        priceAgreementCreate: { energyTypeCode: 'GASOIL', kind: 'discount', value: xof(25) as never, effectiveAt: new Date('2026-01-01T00:00:00Z') },
      })
    ).data;
    const cardId = (await fundedCard(sdk(), { clientId, profileId: owner.profileId }, 100000)).id;
    const stationBefore = await posted(station.cardId);
    const hold = (
      await ledger().createAuthorization({
        idempotencyKey: key(),
        authorizationCreate: { cardId, servicePointId: station.id, amount: xof(50000), service: CardService.Fuel, energyTypeCode: 'GASOIL' },
      })
    ).data;
    const captured = (
      await ledger().captureAuthorization({
        authorizationId: hold.id,
        idempotencyKey: key(),
        authorizationCapture: {
          amount: xof(20 * PRICE),
          receiptNumber: `CAP-${next()}`,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 20000, unitPrice: xof(PRICE) },
        },
      })
    ).data;
    expect(captured).toMatchObject({ status: 'captured', captured: xof(20 * (PRICE - 25)) });
    const payment = (await ledger().getOperation({ operationId: captured.paymentId as string })).data;
    expect([payment.amount, payment.fuel?.pumpPrice, payment.fuel?.unitPrice, payment.fuel?.discountAmount, payment.fuel?.agreementId]).toEqual([
      xof(20 * (PRICE - 25)),
      xof(PRICE),
      xof(PRICE - 25),
      xof(20 * 25),
      agreement.id,
    ]);
    expect(await posted(cardId)).toBe(100000 - 20 * (PRICE - 25));
    expect((await ledger().listLedgerAccounts({ cardId })).data.items[0].held.value).toBe(0);
    expect((await posted(station.cardId)) - stationBefore).toBe(20 * (PRICE - 25));
  });

  it('when agreements are dated, then the latest not after the payment applies (a negotiated price, never above the pump price), and a future one not yet', async () => {
    const clientId = await newClient(sdk(), owner.networkId, 'FLOTTE-TARIF');
    const add = (kind: 'discount' | 'price', value: number, effectiveAt: string) =>
      referential().createPriceAgreement({
        clientId,
        priceAgreementCreate: { energyTypeCode: 'GASOIL', kind, value: xof(value) as never, effectiveAt: new Date(effectiveAt) },
      });
    await add('discount', 10, '2026-01-01T00:00:00Z');
    const negotiated = (await add('price', 690, '2026-06-01T00:00:00Z')).data;
    await add('discount', 100, '2099-01-01T00:00:00Z');
    const cardId = (await fundedCard(sdk(), { clientId, profileId: owner.profileId }, 100000)).id;
    const paid = (await fuelPayment(cardId, 10, PRICE)).data;
    expect([paid.amount, paid.fuel?.unitPrice, paid.fuel?.discount, paid.fuel?.agreementId]).toEqual([xof(6900), xof(690), xof(PRICE - 690), negotiated.id]);
    // a pump price below the negotiated price: the client pays the pump price
    const cheaper = (await fuelPayment(cardId, 10, 680)).data;
    expect([cheaper.amount, cheaper.fuel?.unitPrice, cheaper.fuel?.discount]).toEqual([xof(6800), xof(680), xof(0)]);
    const listed = (await referential().listPriceAgreements({ clientId, energyTypeCode: 'GASOIL' })).data.items;
    expect(listed.map((item) => [item.kind, item.value.value])).toEqual([
      ['discount', 10],
      ['price', 690],
      ['discount', 100],
    ]);
  });

  it('when an offline fill of a client with a discount is uploaded twice, then it is charged at the client price once', async () => {
    const clientId = await newClient(sdk(), owner.networkId, 'FLOTTE-HL');
    await referential().createPriceAgreement({
      clientId,
      priceAgreementCreate: { energyTypeCode: 'GASOIL', kind: 'discount', value: xof(15) as never, effectiveAt: new Date('2026-01-01T00:00:00Z') },
    });
    const cardId = (await fundedCard(sdk(), { clientId, profileId: owner.profileId }, 100000)).id;
    const fill = offlineFill(cardId, 10, PRICE);
    const upload = () => ledger().uploadOfflineFills({ servicePointId: station.id, offlineFillBatch: { terminalId: 'TPE-PR', fills: [fill] } });
    expect((await upload()).data.results[0]).toMatchObject({ status: 'booked', balanceAfter: xof(100000 - 10 * (PRICE - 15)) });
    expect((await upload()).data.results[0]).toMatchObject({ status: 'already-booked' });
    expect(await posted(cardId)).toBe(100000 - 10 * (PRICE - 15));
  });

  it('when an agreement is not after the latest, names an unknown client or energy type, or a price of 0, then it is refused and nothing is stored; a discount leaving nothing to pay refuses the payment 4122', async () => {
    const clientId = await newClient(sdk(), owner.networkId, 'FLOTTE-ERR');
    const add = (fields: object, client = clientId) =>
      referential().createPriceAgreement({
        clientId: client,
        priceAgreementCreate: {
          energyTypeCode: 'GASOIL',
          kind: 'discount',
          value: xof(800) as never,
          effectiveAt: new Date('2026-02-01T00:00:00Z'),
          ...fields,
        },
      });
    await add({});
    const before = await count('client_price_agreements');
    for (const [fields, client, status, code, operation] of [
      [{}, clientId, 409, '4121', 'createPriceAgreement'],
      [{ effectiveAt: new Date('2026-01-01T00:00:00Z') }, clientId, 409, '4121', 'createPriceAgreement'],
      [{}, 'cli_000000000000000000000000', 404, '3003', 'createPriceAgreement'],
      [{ energyTypeCode: 'KEROSENE', effectiveAt: new Date('2026-03-01T00:00:00Z') }, clientId, 404, '3005', 'createPriceAgreement'],
      [{ kind: 'price', value: xof(0), effectiveAt: new Date('2026-03-01T00:00:00Z') }, clientId, 400, '2001', 'createPriceAgreement'],
    ] as const) {
      const refused = await failure(add(fields, client));
      expect([refused.status, refused.body.code]).toEqual([status, code]);
      expectDocumented(operation, status, refused.body);
    }
    expect(await count('client_price_agreements')).toBe(before);
    const cardId = (await fundedCard(sdk(), { clientId, profileId: owner.profileId }, 100000)).id;
    const free = await failure(fuelPayment(cardId, 10, PRICE));
    expect([free.status, free.body.code, free.body.details]).toEqual([409, '4122', expect.objectContaining({ pumpPrice: PRICE, discount: 800, unit: 'XOF' })]);
    expectDocumented('createPayment', 409, free.body);
    expect(await posted(cardId)).toBe(100000);
  });
});
