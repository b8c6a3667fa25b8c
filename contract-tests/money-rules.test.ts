/**
 * Money rules that keep value and links in sight: a card is cancelled only once its balance has
 * somewhere to go (another card of its client, or the issuer's refund account), never with open
 * authorisations; a voucher's cards are checked at entry, at validation and at execution; a
 * regularisation names the operation it corrects, shown on it, in statements and in the
 * partners' card history. Every refusal moves nothing.
 */
import { randomUUID } from 'node:crypto';
import { CardService, OrderType, RegularisationCreateDirectionEnum, type CardCancellationRequest } from '../generated/sdk';
import { Client } from 'pg';
import { expectDocumented } from './support/contract';
import { usingPostgres } from './support/database';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import {
  checkLedgerAfterEach,
  contractedPartner,
  credit,
  issueCard as newCard,
  newClient,
  newClientWorld,
  newEnergyType,
  newStation,
  xof,
} from './support/world';

let server: TestServer;
let admin: string;
let networkId: string;
let clientId: string;
let profileId: string;
let servicePointId: string;
const core = () => server.sdk({ token: admin });
const issueCard = async (client = clientId) => (await newCard(core(), { clientId: client, profileId })).id;
const fundedCard = async (value: number) => {
  const id = await issueCard();
  await credit(core(), id, value);
  return id;
};
const card = async (cardId: string) => (await core().coreCards.getCard({ cardId })).data;
const balance = async (cardId: string) => (await card(cardId)).balances[0].value;
/** Cancels the card, with a new Idempotency-Key unless `key` is null. */
const cancel = (cardId: string, request: CardCancellationRequest, key: string | null = randomUUID()) =>
  core().coreCards.cancelCard({ cardId, cardCancellationRequest: request, idempotencyKey: key ?? undefined });
const state = async () =>
  JSON.stringify(await server.database.db.query('SELECT id, status FROM cards ORDER BY id')) +
  JSON.stringify(await server.database.db.query('SELECT id, posted, held, version FROM ledger_accounts ORDER BY id')) +
  JSON.stringify(await server.database.db.query('SELECT count(*)::int AS n FROM ledger_operations'));
/** 2 L of super at 875 XOF/L: 1,750 XOF. */
const SUPER_2L = { energyTypeCode: 'SUPER', quantityMl: 2000, unitPrice: xof(875) };
const refundsBalance = async () =>
  (await core().coreLedger.listLedgerAccounts({ kind: 'card-refunds' })).data.items.find((account) => account.unit === 'XOF')?.posted.value ?? 0;

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.coreToken();
  ({ networkId, clientId, profileId } = await newClientWorld(core(), 'REGLES'));
  ({ id: servicePointId } = await newStation(core(), networkId, 'STATION-REGLES'));
  await newEnergyType(core(), 'SUPER');
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

describe('cancelling a card that holds value or open authorisations', () => {
  it('when the card holds value and the cancellation says nowhere to move it, then it is 4140 with the balances and nothing changes', async () => {
    const cardId = await fundedCard(12000);
    const before = await state();
    const refused = await failure(cancel(cardId, { reason: 'Véhicule vendu' }, null));
    expect([refused.status, refused.body.code]).toEqual([409, '4140']);
    expect(refused.body.details).toEqual({ cardId, balances: [{ unit: 'XOF', scale: 0, posted: 12000, held: 0, available: 12000 }], openHolds: [] });
    expectDocumented('cancelCard', 409, refused.body);
    expect(await state()).toBe(before);
    expect((await card(cardId)).status).toBe('active');
  });

  it('when an empty card is cancelled without a key or a destination, then it is cancelled as before', async () => {
    const cardId = await issueCard();
    expect((await cancel(cardId, { reason: 'Carte jamais utilisée' }, null)).data.status).toBe('cancelled');
  });

  it('when the balance goes to another card of the client, then a full transfer moves it and the card is cancelled, once per key', async () => {
    const [cardId, to] = [await fundedCard(8000), await issueCard()];
    const request = { reason: 'Carte remplacée', remainingBalance: { to: 'card' as const, cardId: to } };
    const noKey = await failure(cancel(cardId, request, null));
    expect([noKey.status, noKey.body.code]).toEqual([400, '2010']);
    const key = randomUUID();
    const cancelled = (await cancel(cardId, request, key)).data;
    expect(cancelled).toMatchObject({ status: 'cancelled', balances: [xof(0)], cancellation: { reason: 'Carte remplacée' } });
    expect(await balance(to)).toBe(8000);
    const moved = (await core().coreLedger.listOperations({ cardId, type: 'full-transfer' })).data.items;
    expect(moved).toMatchObject([{ amount: xof(8000), debit: { cardId }, credit: { cardId: to }, reason: 'Carte remplacée' }]);
    const replay = await core().coreCards.cancelCardRaw({ cardId, cardCancellationRequest: request, idempotencyKey: key });
    expect(replay.raw.headers.get('idempotent-replayed')).toBe('true');
    expect(await balance(to)).toBe(8000);
  });

  it('when the balance goes to the refund account, then a card refund credits it', async () => {
    const cardId = await fundedCard(4500);
    const before = await refundsBalance();
    await cancel(cardId, { reason: 'Fin de contrat', remainingBalance: { to: 'refund' } });
    expect(await balance(cardId)).toBe(0);
    expect(await refundsBalance()).toBe(before + 4500);
    const [refund] = (await core().coreLedger.listOperations({ cardId, type: 'card-refund' })).data.items;
    expect(refund).toMatchObject({ amount: xof(4500), debit: { cardId }, credit: { kind: 'card-refunds' } });
  });

  it('when the destination is the card itself, another client’s card or missing, then it is refused and nothing changes', async () => {
    const cardId = await fundedCard(3000);
    const stranger = await issueCard(await newClient(core(), networkId, 'REGLES-AUTRE'));
    const opposed = await issueCard();
    await core().coreCards.opposeCard({ cardId: opposed, cardOppositionRequest: { reason: 'lost' } });
    const before = await state();
    for (const [remainingBalance, status, code] of [
      [{ to: 'card', cardId }, 409, '4143'],
      [{ to: 'card', cardId: stranger }, 409, '4143'],
      [{ to: 'card', cardId: opposed }, 409, '4012'],
      [{ to: 'card' }, 400, '2001'],
      [{ to: 'refund', cardId: stranger }, 400, '2001'],
    ] as const) {
      const refused = await failure(cancel(cardId, { reason: 'Essai', remainingBalance }));
      expect([JSON.stringify(remainingBalance), refused.status, refused.body.code]).toEqual([JSON.stringify(remainingBalance), status, code]);
      expectDocumented('cancelCard', status, refused.body);
    }
    expect(await state()).toBe(before);
  });

  it('when the card has an open authorisation, then it is 4141 listing it, and once voided the card is cancelled', async () => {
    const cardId = await fundedCard(20000);
    const hold = (
      await core().coreLedger.createAuthorization({
        idempotencyKey: randomUUID(),
        authorizationCreate: { cardId, servicePointId, amount: xof(10000), service: CardService.Fuel },
      })
    ).data;
    const before = await state();
    const refused = await failure(cancel(cardId, { reason: 'Carte perdue', remainingBalance: { to: 'refund' } }));
    expect([refused.status, refused.body.code]).toEqual([409, '4141']);
    expect(refused.body.details).toMatchObject({
      balances: [{ unit: 'XOF', scale: 0, posted: 20000, held: 10000, available: 10000 }],
      openHolds: [{ authorizationId: hold.id, amount: xof(10000) }],
    });
    expectDocumented('cancelCard', 409, refused.body);
    expect(await state()).toBe(before);
    await core().coreLedger.voidAuthorization({ authorizationId: hold.id, idempotencyKey: randomUUID() });
    await cancel(cardId, { reason: 'Carte perdue', remainingBalance: { to: 'refund' } });
    expect(await balance(cardId)).toBe(0);
  });

  it('when a service point has an open authorisation, then its E-service card is 4141 listing it, and once captured its whole balance goes to the refund account', async () => {
    const station = await newStation(core(), networkId, 'STATION-FERMEE');
    const cardId = await fundedCard(20000);
    const hold = (
      await core().coreLedger.createAuthorization({
        idempotencyKey: randomUUID(),
        authorizationCreate: { cardId, servicePointId: station.id, amount: xof(10000), service: CardService.Fuel },
      })
    ).data;
    const before = await state();
    const refused = await failure(cancel(station.cardId, { reason: 'Station fermée', remainingBalance: { to: 'refund' } }));
    expect([refused.status, refused.body.code]).toEqual([409, '4141']);
    expect(refused.body.details).toMatchObject({ openHolds: [{ authorizationId: hold.id, amount: xof(10000) }] });
    expectDocumented('cancelCard', 409, refused.body);
    expect(await state()).toBe(before);
    await core().coreLedger.captureAuthorization({
      authorizationId: hold.id,
      idempotencyKey: randomUUID(),
      authorizationCapture: { amount: xof(7000), receiptNumber: 'FERMEE-1', fuel: { energyTypeCode: 'SUPER', quantityMl: 8000, unitPrice: xof(875) } },
    });
    const refunds = await refundsBalance();
    await cancel(station.cardId, { reason: 'Station fermée', remainingBalance: { to: 'refund' } });
    expect([await balance(station.cardId), await refundsBalance()]).toEqual([0, refunds + 7000]);
  });

  (usingPostgres() ? it : it.skip)(
    'when a payment at a station races the cancellation of its E-service card, then it waits for it and is refused (4013): the cancelled card receives nothing',
    async () => {
      const station = await newStation(core(), networkId, 'STATION-COURSE');
      const cardId = await fundedCard(5000);
      const cancelling = new Client({ connectionString: server.database.url });
      await cancelling.connect();
      try {
        // What the cancellation holds between its lock and its commit.
        await cancelling.query('BEGIN');
        await cancelling.query('SELECT 1 FROM cards WHERE id = $1 FOR UPDATE', [station.cardId]);
        await cancelling.query("UPDATE cards SET status = 'cancelled' WHERE id = $1", [station.cardId]);
        const paying = failure(
          core().coreLedger.createPayment({
            idempotencyKey: randomUUID(),
            paymentCreate: { cardId, servicePointId: station.id, amount: xof(1750), service: CardService.Fuel, receiptNumber: 'COURSE-1', fuel: SUPER_2L },
          }),
        );
        let settled = false;
        void paying.finally(() => (settled = true));
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(settled).toBe(false);
        await cancelling.query('COMMIT');
        const refused = await paying;
        expect([refused.status, refused.body.code]).toEqual([409, '4013']);
      } finally {
        await cancelling.query('ROLLBACK').catch(() => undefined);
        await cancelling.end();
      }
      expect([await balance(station.cardId), await balance(cardId)]).toEqual([0, 5000]);
    },
  );

  it('when payments at a station run while its E-service card is cancelled, then each lands before the cancellation (and is refunded with it) or is refused after it', async () => {
    const station = await newStation(core(), networkId, 'STATION-FLUX');
    const cardId = await fundedCard(100000);
    const pay = (n: number) =>
      core()
        .coreLedger.createPayment({
          idempotencyKey: randomUUID(),
          paymentCreate: { cardId, servicePointId: station.id, amount: xof(1750), service: CardService.Fuel, receiptNumber: `FLUX-${n}`, fuel: SUPER_2L },
        })
        .then(
          () => 'paid',
          async (error: unknown) => (await failure(Promise.reject(error))).body.code,
        );
    const refunds = await refundsBalance();
    const payments = Array.from({ length: 30 }, (_, n) => pay(n));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await cancel(station.cardId, { reason: 'Station fermée', remainingBalance: { to: 'refund' } });
    const outcomes = await Promise.all(payments);
    const paid = outcomes.filter((outcome) => outcome === 'paid').length;
    expect(outcomes.filter((outcome) => outcome !== 'paid' && outcome !== '4013')).toEqual([]);
    expect([await balance(station.cardId), await balance(cardId), await refundsBalance()]).toEqual([0, 100000 - 1750 * paid, refunds + 1750 * paid]);
  });

  it('when an operation of a cancelled card is cancelled, then what it gives back goes on to the refund account', async () => {
    const cardId = await fundedCard(1000);
    const fee = (await core().coreLedger.createFee({ idempotencyKey: randomUUID(), feeCreate: { cardId, amount: xof(250), reason: 'Frais SMS' } })).data;
    await cancel(cardId, { reason: 'Fin de contrat', remainingBalance: { to: 'refund' } });
    const before = await refundsBalance();
    await core().coreLedger.cancelOperation({ operationId: fee.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Frais indus' } });
    expect(await balance(cardId)).toBe(0);
    expect(await refundsBalance()).toBe(before + 250);
    const refunds = (await core().coreLedger.listOperations({ cardId, type: 'card-refund' })).data.items;
    expect(refunds.map((operation) => operation.amount)).toEqual([xof(750), xof(250)]);
  });

  it('when a card was cancelled holding value before this rule, then a full transfer voucher takes the value out', async () => {
    const [cardId, to] = [await fundedCard(2600), await issueCard()];
    await server.database.db.query("UPDATE cards SET status = 'cancelled' WHERE id = $1", [cardId]);
    const order = (
      await core().coreLedger.createOrder({
        idempotencyKey: randomUUID(),
        orderCreate: { type: OrderType.FullTransfer, fromCardId: cardId, lines: [{ cardId: to }] },
      })
    ).data;
    await core().coreLedger.validateOrder({ orderId: order.id });
    await core().coreLedger.executeOrder({ orderId: order.id, idempotencyKey: randomUUID() });
    expect([await balance(cardId), await balance(to)]).toEqual([0, 2600]);
  });
});

describe('card refunds paid out', () => {
  const issuerFloat = async () =>
    (await core().coreLedger.listLedgerAccounts({ kind: 'issuer-float' })).data.items.find((account) => account.unit === 'XOF')?.posted.value ?? 0;
  const refundOf = async (value: number) => {
    const cardId = await fundedCard(value);
    await cancel(cardId, { reason: 'Fin de contrat', remainingBalance: { to: 'refund' } });
    return (await core().coreLedger.listOperations({ cardId, type: 'card-refund' })).data.items[0].id;
  };
  const payOut = (refundId: string, externalReference = `VIR-${randomUUID().slice(0, 8)}`, key = randomUUID()) =>
    core().coreLedger.createPayout({ idempotencyKey: key, payoutCreate: { refundId, externalReference, comment: 'Virement au client' } });

  it('when a card refund is paid out, then card-refunds gives its whole amount back to the issuer float, once per key, and the payout names it', async () => {
    const refundId = await refundOf(4500);
    const [refunds, float] = [await refundsBalance(), await issuerFloat()];
    const key = randomUUID();
    const payout = (await payOut(refundId, 'VIR-2026-12-0042', key)).data;
    expect(payout).toMatchObject({
      type: 'payout',
      amount: xof(4500),
      debit: { kind: 'card-refunds' },
      credit: { kind: 'issuer-float' },
      settles: refundId,
      externalReference: 'VIR-2026-12-0042',
      comment: 'Virement au client',
    });
    expect((await payOut(refundId, 'VIR-2026-12-0042', key)).data.id).toBe(payout.id);
    expect([await refundsBalance(), await issuerFloat()]).toEqual([refunds - 4500, float + 4500]);
    expect((await core().coreLedger.getOperation({ operationId: payout.id })).data.settles).toBe(refundId);
    expect((await core().coreLedger.listOperations({ type: 'payout' })).data.items.map((operation) => operation.id)).toContain(payout.id);
  });

  it('when a refund was paid, is not a refund, or is unknown, then the payout is refused and nothing moves; a paid refund is cancelled only once its payout is', async () => {
    const refundId = await refundOf(3000);
    const payout = (await payOut(refundId)).data;
    const fee = (
      await core().coreLedger.createFee({ idempotencyKey: randomUUID(), feeCreate: { cardId: await fundedCard(900), amount: xof(100), reason: 'Frais SMS' } })
    ).data;
    const before = await state();
    for (const [refund, status, code] of [
      [refundId, 409, '4190'],
      [fee.id, 409, '4191'],
      ['op_000000000000000000000000', 404, '3012'],
    ] as const) {
      const refused = await failure(payOut(refund));
      expect([refund, refused.status, refused.body.code]).toEqual([refund, status, code]);
      expectDocumented('createPayout', status, refused.body);
    }
    expect((await failure(payOut(refundId))).body.details).toEqual({ payoutId: payout.id });
    const cancelRefund = () =>
      core().coreLedger.cancelOperation({ operationId: refundId, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Erreur' } });
    const paid = await failure(cancelRefund());
    expect([paid.status, paid.body.code]).toEqual([409, '4190']);
    expectDocumented('cancelOperation', 409, paid.body);
    expect(await state()).toBe(before);

    await core().coreLedger.cancelOperation({
      operationId: payout.id,
      idempotencyKey: randomUUID(),
      cancellationCreate: { reason: 'Virement rejeté par la banque' },
    });
    const again = (await payOut(refundId)).data;
    expect(again).toMatchObject({ type: 'payout', settles: refundId, amount: xof(3000) });
  });

  it('when two payouts of one refund race, then one pays it and the other is 4190', async () => {
    const refundId = await refundOf(2000);
    const refunds = await refundsBalance();
    const outcomes = await Promise.allSettled([payOut(refundId), payOut(refundId), payOut(refundId)]);
    const codes = await Promise.all(
      outcomes.map(async (outcome) => (outcome.status === 'fulfilled' ? 'paid' : (await failure(Promise.reject(outcome.reason))).body.code)),
    );
    expect(codes.sort()).toEqual(['4190', '4190', 'paid']);
    expect(await refundsBalance()).toBe(refunds - 2000);
  });
});

describe('vouchers checked at entry, validation and execution', () => {
  const enter = async (fromCardId: string, to: string) =>
    (
      await core().coreLedger.createOrder({
        idempotencyKey: randomUUID(),
        orderCreate: { type: OrderType.Transfer, fromCardId, lines: [{ cardId: to, amount: xof(100) }] },
      })
    ).data;

  it('when the receiving card is cancelled after entry, then validation refuses the voucher (4013) and it stays entered', async () => {
    const [from, to] = [await fundedCard(1000), await issueCard()];
    const order = await enter(from, to);
    await cancel(to, { reason: 'Carte détruite' }, null);
    const refused = await failure(core().coreLedger.validateOrder({ orderId: order.id }));
    expect([refused.status, refused.body.code]).toEqual([409, '4013']);
    expectDocumented('validateOrder', 409, refused.body);
    expect((await core().coreLedger.getOrder({ orderId: order.id })).data.status).toBe('entered');
  });

  it('when the source card is suspended, then entry refuses the transfer (4011); after validation, execution does', async () => {
    const [from, to] = [await fundedCard(1000), await issueCard()];
    const validated = await enter(from, to);
    await core().coreLedger.validateOrder({ orderId: validated.id });
    await core().coreCards.suspendCard({ cardId: from, cardTransitionRequest: { reason: 'Contrôle' } });
    const atEntry = await failure(
      core().coreLedger.createOrder({
        idempotencyKey: randomUUID(),
        orderCreate: { type: OrderType.Transfer, fromCardId: from, lines: [{ cardId: to, amount: xof(100) }] },
      }),
    );
    expect([atEntry.status, atEntry.body.code]).toEqual([409, '4011']);
    expectDocumented('createOrder', 409, atEntry.body);
    const atExecution = await failure(core().coreLedger.executeOrder({ orderId: validated.id, idempotencyKey: randomUUID() }));
    expect([atExecution.status, atExecution.body.code]).toEqual([409, '4011']);
    expect([await balance(from), await balance(to)]).toEqual([1000, 0]);
  });

  it('when a recharge line names a cancelled card, then entry refuses it with the line', async () => {
    const cancelled = await issueCard();
    await cancel(cancelled, { reason: 'Carte détruite' }, null);
    const refused = await failure(
      core().coreLedger.createOrder({
        idempotencyKey: randomUUID(),
        orderCreate: { type: OrderType.Recharge, lines: [{ cardId: cancelled, amount: xof(100) }] },
      }),
    );
    expect([refused.status, refused.body.code, refused.body.debugMessage]).toEqual([409, '4013', expect.stringMatching(/^Line 1: /)]);
  });
});

describe('a regularisation names the operation it corrects', () => {
  const regularise = (
    cardId: string,
    corrects: string | undefined,
    direction: RegularisationCreateDirectionEnum = RegularisationCreateDirectionEnum.Credit,
    value = 100,
  ) =>
    core().coreLedger.createRegularisation({
      idempotencyKey: randomUUID(),
      regularisationCreate: { cardId, direction, amount: xof(value), reason: 'Frais SMS comptés deux fois', corrects },
    });

  it('when a wrong operation is cancelled and corrected, then the correction names it on the operation, in the statement and in the partner’s history', async () => {
    const start = new Date(Date.now() - 1000);
    const cardId = await fundedCard(5000);
    const fee = (await core().coreLedger.createFee({ idempotencyKey: randomUUID(), feeCreate: { cardId, amount: xof(300), reason: 'Frais SMS' } })).data;
    await core().coreLedger.cancelOperation({ operationId: fee.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Montant erroné' } });
    const corrected = (await regularise(cardId, fee.id, RegularisationCreateDirectionEnum.Debit, 100)).data;
    expect(corrected).toMatchObject({ type: 'regularisation', corrects: fee.id, debit: { cardId } });
    expect((await core().coreLedger.getOperation({ operationId: corrected.id })).data.corrects).toBe(fee.id);
    expect((await core().coreLedger.getOperation({ operationId: fee.id })).data.corrects).toBeNull();
    const end = new Date(Date.now() + 60_000);
    const statement = (await core().coreLedger.getCardStatement({ cardId, unit: 'XOF', from: start, to: end })).data;
    expect(statement.lines.map((line) => [line.type, line.corrects])).toEqual([
      ['regularisation', null],
      ['fee', null],
      ['cancellation', null],
      ['regularisation', fee.id],
    ]);
    expect(statement.closingBalance).toEqual(xof(4900));
    const partner = await contractedPartner(server, core(), { name: 'Lecteur', scopes: ['partner:cards.read'], clientId });
    const history = (await server.sdk({ token: partner.token }).partner.listPartnerCardHistory({ cardId })).data.items;
    expect(history[0]).toMatchObject({ kind: 'operation', operation: { id: corrected.id, corrects: fee.id } });
  });

  it('when the operation named is of another card, a cancellation or unknown, then it is refused and nothing moves', async () => {
    const [cardId, other] = [await fundedCard(1000), await fundedCard(1000)];
    const otherFee = (await core().coreLedger.createFee({ idempotencyKey: randomUUID(), feeCreate: { cardId: other, amount: xof(100), reason: 'Frais SMS' } }))
      .data;
    const fee = (await core().coreLedger.createFee({ idempotencyKey: randomUUID(), feeCreate: { cardId, amount: xof(100), reason: 'Frais SMS' } })).data;
    const cancellation = (
      await core().coreLedger.cancelOperation({ operationId: fee.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Erreur' } })
    ).data;
    const before = await state();
    for (const [corrects, status, code] of [
      [otherFee.id, 409, '4142'],
      [cancellation.id, 409, '4142'],
      ['op_000000000000000000000000', 404, '3012'],
    ] as const) {
      const refused = await failure(regularise(cardId, corrects));
      expect([corrects, refused.status, refused.body.code]).toEqual([corrects, status, code]);
      expectDocumented('createRegularisation', status, refused.body);
    }
    expect(await state()).toBe(before);
  });
});
