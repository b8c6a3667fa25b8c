/**
 * Round trips to PostgreSQL per money operation: the ledger's cost is its statements (each
 * costs the server about as much CPU as the rest of the request), so their number is a
 * budget, counted here on the driver (every statement, BEGIN and COMMIT included), never
 * timed. A voucher's statements do not grow with its lines. PostgreSQL only: PGlite has no
 * wire and no driver to count on.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CardService, OrderType, RegularisationCreateDirectionEnum } from '../generated/sdk';
import { usingPostgres } from './support/database';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, credit, issueCard, newClientWorld, newStation, xof } from './support/world';

/**
 * Statements per request, its authentication included (the token lookup and the rate-limit
 * count: 2). A payment, Core or a station partner's: those and one call of the posting
 * function (migration 047: the key's claim, the card and accounts, the locks, the checks, the
 * operation, entries, balances, events and the key's answer). The others: those, BEGIN, the
 * key's claim, one lookup (card, both accounts), its system account, the locks (cards, then
 * accounts), the write (operation, entries, balances), the events, the key's answer, COMMIT. A
 * partner's recharge: that, with the float's late write and its day's count before COMMIT. A
 * read: the two of its authentication and its own, one statement (src/db/batched.ts).
 */
const BUDGET = { payment: 3, partnerPayment: 3, fee: 11, regularisation: 11, authorization: 11, replay: 3, voucher: 15, partnerRecharge: 12 };

const onPostgres = usingPostgres() ? describe : describe.skip;

onPostgres('round trips to PostgreSQL per operation (PostgreSQL only)', () => {
  let server: TestServer;
  let token: string;
  let cards: string[];
  let servicePointId: string;
  let partnerToken: string;
  let stationToken: string;
  let cardNumber: string;
  const core = () => server.sdk({ token }).coreLedger;

  /** Counts the statements the driver sends while `work` runs (nothing else runs meanwhile). */
  async function roundTrips(work: () => Promise<unknown>): Promise<number> {
    const prototype = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = prototype.query;
    let count = 0;
    prototype.query = function counted(this: unknown, ...args: unknown[]) {
      count += 1;
      return original.apply(this, args);
    };
    try {
      await work();
    } finally {
      prototype.query = original;
    }
    return count;
  }

  beforeAll(async () => {
    server = await startTestServer();
    token = await server.coreToken();
    const sdk = server.sdk({ token });
    const owner = await newClientWorld(sdk, 'RT', { label: 'Flotte', validityMonths: 24, monthlyOfflineCap: xof(50000), allowedServices: [CardService.Shop] });
    servicePointId = (await newStation(sdk, owner.networkId, 'STATION-RT')).id;
    cards = [];
    for (let n = 0; n < 50; n++) {
      const card = await issueCard(sdk, owner, { name: `Porteur ${n}`, phone: '+2250707080910' });
      cards.push(card.id);
      if (n === 0) cardNumber = card.number;
    }
    await credit(sdk, cards[0], 1_000_000);
    partnerToken = (
      await contractedPartner(server, sdk, {
        name: 'Orange Money',
        scopes: ['partner:recharges.write', 'partner:cards.read', 'partner:profile.read'],
        clientId: owner.clientId,
        float: 1_000_000,
        floatReference: 'VIR-RT',
      })
    ).token;
    stationToken = (await contractedPartner(server, sdk, { name: 'Station RT', scopes: ['partner:payments.write'], servicePointId })).token;
    // The station's E-service account is opened by its first payment: not the usual case counted below.
    await core().createPayment({
      idempotencyKey: randomUUID(),
      paymentCreate: { cardId: cards[0], servicePointId, amount: xof(1), service: CardService.Shop, receiptNumber: randomUUID() },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });
  checkLedgerAfterEach(() => server.database.db);

  it("a payment, a station's payment, a fee, a regularisation, an authorisation and a partner's recharge each stay within their budget", async () => {
    // Once first: a system account is opened by its first operation, not the usual case counted.
    await core().createFee({ idempotencyKey: randomUUID(), feeCreate: { cardId: cards[0], amount: xof(10), reason: 'Frais SMS' } });
    const counts = {
      payment: await roundTrips(() =>
        core().createPayment({
          idempotencyKey: randomUUID(),
          paymentCreate: { cardId: cards[0], servicePointId, amount: xof(10), service: CardService.Shop, receiptNumber: randomUUID() },
        }),
      ),
      partnerPayment: await roundTrips(() =>
        server.sdk({ token: stationToken }).partner.createPartnerPayment({
          idempotencyKey: randomUUID(),
          partnerPaymentCreate: {
            cardNumber,
            servicePointId,
            amount: xof(10),
            service: CardService.Shop,
            receiptNumber: randomUUID(),
            externalReference: randomUUID(),
          },
        }),
      ),
      fee: await roundTrips(() => core().createFee({ idempotencyKey: randomUUID(), feeCreate: { cardId: cards[0], amount: xof(10), reason: 'Frais SMS' } })),
      regularisation: await roundTrips(() =>
        core().createRegularisation({
          idempotencyKey: randomUUID(),
          regularisationCreate: { cardId: cards[0], direction: RegularisationCreateDirectionEnum.Debit, amount: xof(10), reason: 'Correction' },
        }),
      ),
      authorization: await roundTrips(() =>
        core().createAuthorization({
          idempotencyKey: randomUUID(),
          authorizationCreate: { cardId: cards[0], servicePointId, amount: xof(100), service: CardService.Shop },
        }),
      ),
      partnerRecharge: await roundTrips(() =>
        server.sdk({ token: partnerToken }).partner.createPartnerRecharge({
          idempotencyKey: randomUUID(),
          partnerRechargeCreate: { cardId: cards[1], amount: xof(10), externalReference: randomUUID() },
        }),
      ),
    };
    for (const [operation, count] of Object.entries(counts))
      expect({ operation, count, withinBudget: count <= BUDGET[operation as keyof typeof BUDGET] }).toEqual({ operation, count, withinBudget: true });
  });

  it("a read is three statements: the token lookup, the rate count and its own (GET /partner/v1/me, a partner's card, a Core card)", async () => {
    const partner = () => server.sdk({ token: partnerToken }).partner;
    const reads = {
      me: () => partner().getPartnerMe(),
      partnerCard: () => partner().getPartnerCard({ cardId: cards[1] }),
      coreCard: () => server.sdk({ token }).coreCards.getCard({ cardId: cards[0] }),
    };
    for (const read of Object.values(reads)) await read(); // the units' scales are read by the first answer naming them
    const counts = { me: await roundTrips(reads.me), partnerCard: await roundTrips(reads.partnerCard), coreCard: await roundTrips(reads.coreCard) };
    expect(counts).toEqual({ me: 3, partnerCard: 3, coreCard: 3 });
  });

  it("a replayed payment's key answers from the posting function's claim, in its one call", async () => {
    const idempotencyKey = randomUUID();
    const paymentCreate = { cardId: cards[0], servicePointId, amount: xof(10), service: CardService.Shop, receiptNumber: randomUUID() };
    await core().createPayment({ idempotencyKey, paymentCreate });
    expect(await roundTrips(() => core().createPayment({ idempotencyKey, paymentCreate }))).toBeLessThanOrEqual(BUDGET.replay);
  });

  it('a recharge voucher executes in as many round trips for 50 lines as for 2', async () => {
    const execute = async (lines: number) => {
      const order = (
        await core().createOrder({
          idempotencyKey: randomUUID(),
          orderCreate: { type: OrderType.Recharge, lines: cards.slice(0, lines).map((cardId) => ({ cardId, amount: xof(100) })) },
        })
      ).data;
      await core().validateOrder({ orderId: order.id });
      return roundTrips(async () => expect((await core().executeOrder({ orderId: order.id, idempotencyKey: randomUUID() })).data.status).toBe('executed'));
    };
    await execute(1); // opens the issuer float: not the usual case
    const [two, fifty] = [await execute(2), await execute(50)];
    expect({ two, fifty }).toEqual({ two, fifty: two });
    expect(two).toBeLessThanOrEqual(BUDGET.voucher);
  });
});
