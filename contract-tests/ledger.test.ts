/**
 * The ledger through the Core API: float fundings, payments, fees, regularisations and
 * cancellations; every refusal with its code and nothing moved; the invariant check clean
 * after each test.
 */
import { randomUUID } from 'node:crypto';
import { CardService, RegularisationCreateDirectionEnum, type PaymentCreate } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { spreadsheetCells } from './support/csv';
import { call, failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import {
  checkLedgerAfterEach,
  issueCard as newCard,
  newCardProfile,
  newClient,
  newClientWorld,
  newEnergyType,
  newNetwork,
  newStation,
  xof,
} from './support/world';

let server: TestServer;
let token: string;
let clientId: string;
let profileId: string;
let servicePointId: string;
let stationCardId: string;
const core = () => server.sdk({ token });
const key = () => randomUUID();

const issueCard = async (profile = profileId) => (await newCard(core(), { clientId, profileId: profile })).id;
const credit = async (cardId: string, value: number) =>
  (
    await core().coreLedger.createRegularisation({
      idempotencyKey: key(),
      regularisationCreate: { cardId, direction: RegularisationCreateDirectionEnum.Credit, amount: xof(value), reason: 'Solde de départ' },
    })
  ).data;
const available = async (cardId: string) => (await core().coreCards.getCard({ cardId })).data.balances.find((balance) => balance.unit === 'XOF')?.value;
const pay = (overrides: Partial<PaymentCreate> & { cardId: string }, idempotencyKey = key()) =>
  core().coreLedger.createPayment({
    idempotencyKey,
    paymentCreate: { servicePointId, amount: xof(1000), service: CardService.Shop, receiptNumber: `R-${randomUUID()}`, ...overrides },
  });
/** Everything the ledger holds, to show a refusal changed nothing. */
const ledgerState = async () =>
  JSON.stringify(await server.database.db.query('SELECT id, posted, held, version FROM ledger_accounts ORDER BY id')) +
  JSON.stringify(await server.database.db.query('SELECT count(*)::int AS n FROM ledger_entries')) +
  JSON.stringify(await server.database.db.query('SELECT count(*)::int AS n FROM ledger_operations')) +
  JSON.stringify(await server.database.db.query("SELECT count(*)::int AS n FROM events WHERE type LIKE 'operation.%'"));

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  let networkId: string;
  ({ networkId, clientId, profileId } = await newClientWorld(core(), 'LEDGER', {
    label: 'Flotte',
    validityMonths: 24,
    monthlyOfflineCap: xof(50000),
    allowedServices: [CardService.Fuel, CardService.Shop],
  }));
  ({ id: servicePointId, cardId: stationCardId } = await newStation(core(), networkId, 'STATION-LEDGER'));
  await newEnergyType(core(), 'GASOIL', 675);
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

describe('regularisations and balances', () => {
  it('when a card is credited then debited, then its balance, version and entries follow, and each entry records the balance after it', async () => {
    const cardId = await issueCard();
    const first = await credit(cardId, 20000);
    expect(first).toMatchObject({
      type: 'regularisation',
      status: 'completed',
      amount: xof(20000),
      debit: { kind: 'adjustments', cardId: null },
      credit: { kind: 'card', cardId },
      reference: expect.stringMatching(/^OP\d{10}$/),
    });
    await core().coreLedger.createRegularisation({
      idempotencyKey: key(),
      regularisationCreate: { cardId, direction: RegularisationCreateDirectionEnum.Debit, amount: xof(5000), reason: 'Correction' },
    });
    expect(await available(cardId)).toBe(15000);
    const [account] = (await core().coreLedger.listLedgerAccounts({ cardId })).data.items;
    expect(account).toMatchObject({ kind: 'card', nonNegative: true, posted: xof(15000), held: xof(0), available: xof(15000), version: 2 });
    const entries = await server.database.db.query<{ balance_after: string; version_after: string }>(
      'SELECT balance_after::text, version_after::text FROM ledger_entries WHERE account_id = $1 ORDER BY seq',
      [account.id],
    );
    expect(entries).toEqual([
      { balance_after: '20000', version_after: '1' },
      { balance_after: '15000', version_after: '2' },
    ]);
    const [adjustments] = (await core().coreLedger.listLedgerAccounts({ kind: 'adjustments' })).data.items;
    expect(adjustments).toMatchObject({ nonNegative: false, version: null });
  });

  it('when a debit exceeds the available balance, then 409 4010 names the account and the figures, and nothing moves', async () => {
    const cardId = await issueCard();
    await credit(cardId, 3000);
    const before = await ledgerState();
    const answer = await failure(
      core().coreLedger.createRegularisation({
        idempotencyKey: key(),
        regularisationCreate: { cardId, direction: RegularisationCreateDirectionEnum.Debit, amount: xof(3001), reason: 'Trop' },
      }),
    );
    expect([answer.status, answer.body.code]).toEqual([409, '4010']);
    expect(answer.body.details).toEqual({
      account: 'card',
      accountId: expect.stringMatching(/^acc_/),
      bound: 'available-not-below-zero',
      available: xof(3000),
      requested: xof(3001),
      accountVersion: 1,
    });
    expectDocumented('createRegularisation', 409, answer.body);
    expect(await ledgerState()).toBe(before);
  });

  it('when an operation is read by id, by reference or in the card history, then it is the same operation', async () => {
    const cardId = await issueCard();
    const operation = await credit(cardId, 700);
    expect((await core().coreLedger.getOperation({ operationId: operation.id })).data).toEqual(operation);
    expect((await core().coreLedger.listOperations({ reference: operation.reference })).data.items).toEqual([operation]);
    expect((await core().coreLedger.listOperations({ cardId })).data.items.map((item) => item.id)).toEqual([operation.id]);
    const missing = await failure(core().coreLedger.getOperation({ operationId: 'op_000000000000000000000000' }));
    expect([missing.status, missing.body.code]).toEqual([404, '3012']);
  });
});

describe('payments', () => {
  it('when a card pays for fuel, then the card is debited, the station credited, and the fuel record kept with the price in force', async () => {
    const cardId = await issueCard();
    await credit(cardId, 20000);
    const payment = (
      await pay({
        cardId,
        amount: xof(15188),
        service: CardService.Fuel,
        fuel: { energyTypeCode: 'GASOIL', quantityMl: 22500, unitPrice: xof(675) },
        pumpNumber: 3,
      })
    ).data;
    expect(payment).toMatchObject({
      type: 'payment',
      debit: { cardId },
      credit: { cardId: stationCardId },
      servicePointId,
      service: 'fuel',
      pumpNumber: 3,
      fuel: { energyTypeCode: 'GASOIL', quantityMl: 22500, unitPrice: xof(675), priceInForce: xof(675) },
    });
    expect(await available(cardId)).toBe(4812);
    expect(await available(stationCardId)).toBeGreaterThanOrEqual(15188);
  });

  it.each([
    ['the amount is not quantity × price', { amount: xof(15000), fuel: { energyTypeCode: 'GASOIL', quantityMl: 22500, unitPrice: xof(675) } }, 400, '4023'],
    ['a fuel payment has no fuel record', {}, 400, '4021'],
    ['the energy type is unknown', { amount: xof(675), fuel: { energyTypeCode: 'KEROSENE', quantityMl: 1000, unitPrice: xof(675) } }, 400, '4021'],
  ])('when %s, then it is refused and nothing moves', async (_case, patch, status, code) => {
    const cardId = await issueCard();
    await credit(cardId, 20000);
    const before = await ledgerState();
    const answer = await failure(pay({ cardId, service: CardService.Fuel, ...patch }));
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expect(await ledgerState()).toBe(before);
  });

  it('when the card is suspended, opposed, cancelled or expired, its client inactive, or the service not allowed, then each refusal has its code and nothing moves', async () => {
    const refusals: [string, string][] = [];
    const attempt = async (cardId: string, overrides: Partial<PaymentCreate> = {}) => {
      const before = await ledgerState();
      const answer = await failure(pay({ cardId, ...overrides }));
      expect(await ledgerState()).toBe(before);
      expectDocumented('createPayment', answer.status, answer.body);
      return `${answer.status} ${answer.body.code}`;
    };
    for (const [action, code] of [
      ['suspend', '409 4011'],
      ['oppose', '409 4012'],
      ['cancel', '409 4013'],
    ] as const) {
      const cardId = await issueCard();
      await credit(cardId, 5000);
      const cards = core().coreCards;
      const body = { cardTransitionRequest: { reason: 'test' }, cardOppositionRequest: { reason: 'lost' as const } };
      if (action === 'suspend') await cards.suspendCard({ cardId, ...body });
      if (action === 'oppose') await cards.opposeCard({ cardId, ...body });
      if (action === 'cancel')
        await cards.cancelCard({ cardId, idempotencyKey: randomUUID(), cardCancellationRequest: { reason: 'test', remainingBalance: { to: 'refund' } } });
      refusals.push([await attempt(cardId), code]);
    }
    const expired = await issueCard();
    await credit(expired, 5000);
    await server.database.db.query("UPDATE cards SET expires_at = now() - interval '1 day' WHERE id = $1", [expired]);
    refusals.push([await attempt(expired), '409 4014']);
    const notAllowed = await issueCard();
    await credit(notAllowed, 5000);
    refusals.push([await attempt(notAllowed, { service: CardService.CarWash }), '409 4015']);
    refusals.push([await attempt(notAllowed, { amount: { value: 1000, unit: 'L-SUPER' } }), '400 4016']);
    refusals.push([await attempt(stationCardId), '400 4017']); // the station's own card paying it
    const networkId = (await core().coreReferential.getClient({ clientId })).data.networkId;
    const otherStation = (await newStation(core(), networkId, 'STATION-AUTRE', { name: 'Station Treichville', address: 'Treichville, Abidjan' })).cardId;
    await credit(otherStation, 5000);
    refusals.push([await attempt(otherStation), '400 4018']);
    refusals.push([await attempt('crd_000000000000000000000000'), '404 3008']);
    refusals.push([await attempt(notAllowed, { servicePointId: 'spt_000000000000000000000000' }), '404 3009']);
    expect(refusals.map(([got]) => got)).toEqual(refusals.map(([, expected]) => expected));
  });

  it('when a client is deactivated, then its cards are refused 4004', async () => {
    const referential = core().coreReferential;
    const other = await newClient(core(), await newNetwork(core(), 'RES-INACTIF'), 'INACTIF');
    const cardId = (await newCard(core(), { clientId: other, profileId })).id;
    await credit(cardId, 5000);
    await referential.deactivateClient({ clientId: other });
    const answer = await failure(pay({ cardId }));
    expect([answer.status, answer.body.code]).toEqual([409, '4004']);
  });

  it('when a receipt number is used twice at a service point, then the second payment is 409 4022', async () => {
    const cardId = await issueCard();
    await credit(cardId, 5000);
    await pay({ cardId, receiptNumber: 'T1-0001' });
    const answer = await failure(pay({ cardId, receiptNumber: 'T1-0001' }));
    expect([answer.status, answer.body.code]).toEqual([409, '4022']);
    expect(await available(cardId)).toBe(4000);
  });
});

describe('fees, float fundings and cancellations', () => {
  it('when a fee is charged, then the card is debited and fee revenue credited', async () => {
    const cardId = await issueCard();
    await credit(cardId, 500);
    const fee = (await core().coreLedger.createFee({ idempotencyKey: key(), feeCreate: { cardId, amount: xof(100), reason: 'Frais SMS' } })).data;
    expect(fee).toMatchObject({ type: 'fee', debit: { cardId }, credit: { kind: 'fee-revenue' }, reason: 'Frais SMS' });
    expect(await available(cardId)).toBe(400);
  });

  it('when a partner float is funded, then its float is credited from the issuer float, once per external reference', async () => {
    const partner = await server.partner({ name: 'Orange Money CI' });
    const funding = (
      await core().coreLedger.createFloatFunding({
        idempotencyKey: key(),
        floatFundingCreate: { partnerId: partner.id, amount: xof(1000000), externalReference: 'VIR-001' },
      })
    ).data;
    expect(funding).toMatchObject({
      type: 'float-funding',
      debit: { kind: 'issuer-float' },
      credit: { kind: 'partner-float', partnerId: partner.id },
      externalReference: 'VIR-001',
    });
    const [float] = (await core().coreLedger.listLedgerAccounts({ partnerId: partner.id })).data.items;
    expect(float).toMatchObject({ available: xof(1000000), version: 1 });
    const [issuer] = (await core().coreLedger.listLedgerAccounts({ kind: 'issuer-float' })).data.items;
    expect(issuer.posted.value).toBeLessThanOrEqual(-1000000);
    const again = await failure(
      core().coreLedger.createFloatFunding({
        idempotencyKey: key(),
        floatFundingCreate: { partnerId: partner.id, amount: xof(5), externalReference: 'VIR-001' },
      }),
    );
    expect([again.status, again.body.code]).toEqual([409, '4024']);
  });

  it('when an operation is cancelled, then it is reversed once, marked cancelled, and neither it nor its cancellation can be cancelled again', async () => {
    const cardId = await issueCard();
    await credit(cardId, 5000);
    const payment = (await pay({ cardId, amount: xof(1200) })).data;
    const cancellation = (
      await core().coreLedger.cancelOperation({ operationId: payment.id, idempotencyKey: key(), cancellationCreate: { reason: 'Ticket saisi par erreur' } })
    ).data;
    expect(cancellation).toMatchObject({ type: 'cancellation', cancels: payment.id, debit: { cardId: stationCardId }, credit: { cardId }, amount: xof(1200) });
    expect(await available(cardId)).toBe(5000);
    expect((await core().coreLedger.getOperation({ operationId: payment.id })).data).toMatchObject({ status: 'cancelled', cancelledBy: cancellation.id });
    const twice = await failure(
      core().coreLedger.cancelOperation({ operationId: payment.id, idempotencyKey: key(), cancellationCreate: { reason: 'Encore' } }),
    );
    expect([twice.status, twice.body.code]).toEqual([409, '4019']);
    const ofCancellation = await failure(
      core().coreLedger.cancelOperation({ operationId: cancellation.id, idempotencyKey: key(), cancellationCreate: { reason: 'Non' } }),
    );
    expect([ofCancellation.status, ofCancellation.body.code]).toEqual([409, '4020']);
  });

  it('when a credited card has already spent the value, then cancelling the credit is 4010 and nothing moves', async () => {
    const cardId = await issueCard();
    const credited = await credit(cardId, 1000);
    await pay({ cardId, amount: xof(600) });
    const before = await ledgerState();
    const answer = await failure(
      core().coreLedger.cancelOperation({ operationId: credited.id, idempotencyKey: key(), cancellationCreate: { reason: 'Erreur' } }),
    );
    expect([answer.status, answer.body.code]).toEqual([409, '4010']);
    expect(await ledgerState()).toBe(before);
  });
});

describe('statements', () => {
  it('when a period is asked, then the opening balance, each movement with the balance after it, and the closing balance are those the ledger recorded', async () => {
    const cardId = await issueCard();
    await credit(cardId, 9000);
    const [{ now: start }] = await server.database.db.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    const payment = (await pay({ cardId, amount: xof(2500) })).data;
    const fee = (await core().coreLedger.createFee({ idempotencyKey: key(), feeCreate: { cardId, amount: xof(100), reason: 'SMS' } })).data;
    const [{ now: end }] = await server.database.db.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    await credit(cardId, 1);
    const statement = (await core().coreLedger.getCardStatement({ cardId, unit: 'XOF', from: start, to: end })).data;
    expect(statement).toMatchObject({ openingBalance: xof(9000), closingBalance: xof(6400), closingValue: null });
    expect(statement.lines.map((line) => [line.operationId, line.amount.value, line.balanceAfter.value])).toEqual([
      [payment.id, -2500, 6500],
      [fee.id, -100, 6400],
    ]);
    const firstPage = (await core().coreLedger.getCardStatement({ cardId, unit: 'XOF', from: start, to: end, limit: 1 })).data;
    const secondPage = (await core().coreLedger.getCardStatement({ cardId, unit: 'XOF', from: start, to: end, limit: 1, cursor: firstPage.nextCursor! })).data;
    expect([...firstPage.lines, ...secondPage.lines]).toEqual(statement.lines);
    expect(secondPage.openingBalance).toEqual(xof(9000));
    const backwards = await failure(core().coreLedger.getCardStatement({ cardId, unit: 'XOF', from: end, to: start }));
    expect([backwards.status, backwards.body.code]).toEqual([400, '2001']);
    const otherUnit = await failure(core().coreLedger.getCardStatement({ cardId, unit: 'L-AUCUNE', from: start, to: end }));
    expect([otherUnit.status, otherUnit.body.code]).toEqual([400, '4016']);
  });

  it('when a card holds litres, then its statement values the closing balance at the price in force at the end of the period', async () => {
    await core().coreReferential.createUnit({
      unitCreate: { code: 'L-GASOIL', label: 'Litres de gasoil', kind: 'volume', scale: 2, energyTypeCode: 'GASOIL' },
    });
    const litresProfile = await newCardProfile(core(), 'LITRES', { label: 'Litres', allowedUnits: ['XOF', 'L-GASOIL'] });
    const cardId = await issueCard(litresProfile);
    await core().coreLedger.createRegularisation({
      idempotencyKey: key(),
      regularisationCreate: { cardId, direction: RegularisationCreateDirectionEnum.Credit, amount: { value: 4050, unit: 'L-GASOIL' }, reason: 'Dotation' },
    });
    const statement = (
      await core().coreLedger.getCardStatement({ cardId, unit: 'L-GASOIL', from: new Date('2026-01-01T00:00:00Z'), to: new Date(Date.now() + 60_000) })
    ).data;
    // 40.50 L at 675 XOF/L = 27 337.5, rounded half up
    expect(statement).toMatchObject({ closingBalance: { value: 4050, unit: 'L-GASOIL' }, closingValue: xof(27338) });
  });
});

describe("the station's E-service card (its balance summed: a credit locks nothing)", () => {
  it('when payments credit a station, then its balance is the sum of its entries everywhere it is read, and its statement and events follow', async () => {
    const networkId = (await core().coreReferential.getClient({ clientId })).data.networkId;
    const point = await newStation(core(), networkId, 'STATION-SUM', { name: 'Station Cocody', address: 'Cocody, Abidjan' });
    const station = point.cardId;
    const cardId = await issueCard();
    await credit(cardId, 10000);
    const [{ now: start }] = await server.database.db.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    const first = (await pay({ cardId, servicePointId: point.id, amount: xof(1200) })).data;
    const second = (await pay({ cardId, servicePointId: point.id, amount: xof(300) })).data;
    const [{ now: end }] = await server.database.db.query<{ now: Date }>('SELECT clock_timestamp() AS now');

    const [account] = (await core().coreLedger.listLedgerAccounts({ cardId: station })).data.items;
    expect(account).toMatchObject({ kind: 'card', nonNegative: true, posted: xof(1500), held: xof(0), available: xof(1500), version: null });
    expect(await available(station)).toBe(1500);
    const [row] = await server.database.db.query<{ posted: string; version: string; stored_balance: boolean }>(
      'SELECT posted::text, version::text, stored_balance FROM ledger_accounts WHERE id = $1',
      [account.id],
    );
    expect(row).toEqual({ posted: '0', version: '0', stored_balance: false });

    const statement = (await core().coreLedger.getCardStatement({ cardId: station, unit: 'XOF', from: start, to: end })).data;
    expect(statement).toMatchObject({ openingBalance: xof(0), closingBalance: xof(1500) });
    expect(statement.lines.map((line) => [line.operationId, line.amount.value, line.balanceAfter.value])).toEqual([
      [first.id, 1200, 1200],
      [second.id, 300, 1500],
    ]);

    // Cancelling a payment debits the station: its row is locked and the bound checked against the sum.
    await core().coreLedger.cancelOperation({ operationId: first.id, idempotencyKey: key(), cancellationCreate: { reason: 'Erreur de pompe' } });
    expect(await available(station)).toBe(300);
    expect(await available(cardId)).toBe(10000 - 300);

    const events = await server.database.db.query<{ type: string; card_sequence: string | null }>(
      'SELECT type, card_sequence::text FROM events WHERE card_id = $1 ORDER BY seq',
      [station],
    );
    expect(events).toEqual([
      { type: 'operation.completed', card_sequence: null },
      { type: 'operation.completed', card_sequence: null },
      { type: 'operation.completed', card_sequence: null },
      { type: 'operation.cancelled', card_sequence: null },
    ]);
  });
});

describe('CSV exports', () => {
  /** `INV-7;=1+1;` was written as it is, and a French-locale spreadsheet splits on `;`. */
  it('when a text holds a separator then a formula, then no spreadsheet separator (comma, semicolon, tab, pipe) cuts out a cell that starts a formula', async () => {
    const cardId = await issueCard();
    const reasons = ['INV-7;=1+1;', 'INV-8\t+cmd|calc', 'INV-9 @SUM(A1)', 'INV-10,-2+3', 'INV-11\n=2+2', 'INV-12| "=3+3"', 'INV-13;;@x'];
    for (const reason of reasons)
      await core().coreLedger.createRegularisation({
        idempotencyKey: key(),
        regularisationCreate: { cardId, direction: RegularisationCreateDirectionEnum.Credit, amount: xof(10), reason },
      });
    const list = await call(`${server.url}/core/v1/operations?cardId=${cardId}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/csv' } });
    expect(list.status).toBe(200);
    // (Not the space: a spreadsheet splits on it only when asked to, and it would cut every sentence.)
    for (const separator of [',', ';', '\t', '|']) {
      const cells = spreadsheetCells(list.text, separator).flat();
      expect(cells.filter((cell) => /^[=+\-@]/.test(cell) && !/^-?\d+$/.test(cell))).toEqual([]);
    }
    const byComma = spreadsheetCells(list.text, ',');
    const reasonColumn = byComma[0].indexOf('reason');
    // What the comma-splitting spreadsheet shows: the texts, an apostrophe before each formula lead after a separator.
    expect(byComma.slice(1).map((row) => row[reasonColumn])).toEqual([
      "INV-7;'=1+1;",
      "INV-8\t'+cmd|calc",
      'INV-9 @SUM(A1)',
      "INV-10,'-2+3",
      "INV-11\n'=2+2",
      'INV-12| "\'=3+3"',
      "INV-13;;'@x",
    ]);
  });

  it('when a list or a statement is asked with Accept: text/csv, then the same rows come as CSV, formulas defused', async () => {
    const cardId = await issueCard();
    const first = await core().coreLedger.createRegularisation({
      idempotencyKey: key(),
      regularisationCreate: { cardId, direction: RegularisationCreateDirectionEnum.Credit, amount: xof(300), reason: '=HYPERLINK("http://x")' },
    });
    await pay({ cardId, amount: xof(120) });
    const headers = { authorization: `Bearer ${token}`, accept: 'text/csv' };
    const list = await call(`${server.url}/core/v1/operations?cardId=${cardId}`, { headers });
    expect([list.status, list.headers.get('content-type'), list.headers.get('vary')]).toEqual([
      200,
      'text/csv; charset=utf-8',
      expect.stringContaining('Accept'),
    ]);
    const bytes = Buffer.from(await (await fetch(`${server.url}/core/v1/operations?cardId=${cardId}`, { headers })).arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the byte-order mark (fetch's text() drops it)
    const [header, ...rows] = list.text.trimEnd().split('\r\n');
    expect(header.split(',').slice(0, 7)).toEqual(['createdAt', 'reference', 'type', 'status', 'amount.value', 'amount.unit', 'amount.scale']);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(`${first.data.reference},regularisation,completed,300,XOF,0`);
    expect(rows[0]).toContain(first.data.id);
    expect(rows[0]).toContain(`"'=HYPERLINK(""http://x"")"`);
    const json = (await core().coreLedger.listOperations({ cardId })).data.items;
    expect(json).toHaveLength(2);
    const statement = await call(`${server.url}/core/v1/cards/${cardId}/statement?unit=XOF&from=2026-01-01T00%3A00%3A00Z&to=2099-01-01T00%3A00%3A00Z`, {
      headers,
    });
    expect(statement.text.trimEnd().split('\r\n')).toEqual([
      'at,reference,type,amount.value,amount.unit,amount.scale,discount.value,balanceAfter.value,corrects,operationId',
      expect.stringMatching(/^[^,]+,OP\d{10},regularisation,300,XOF,0,0,300,,op_[0-9a-f]{24}$/),
      expect.stringMatching(/,payment,-120,XOF,0,0,180,,op_[0-9a-f]{24}$/),
    ]);
  });
});

describe('events', () => {
  it('when value moves on a card or its status changes, then an event is written for it with a sequence that only grows', async () => {
    const cardId = await issueCard();
    await credit(cardId, 1000);
    await pay({ cardId, amount: xof(100) });
    await core().coreCards.suspendCard({ cardId, cardTransitionRequest: { reason: 'contrôle' } });
    const events = await server.database.db.query<{ type: string; card_sequence: string }>(
      'SELECT type, card_sequence::text FROM events WHERE card_id = $1 ORDER BY seq',
      [cardId],
    );
    expect(events).toEqual([
      { type: 'operation.completed', card_sequence: '1' },
      { type: 'operation.completed', card_sequence: '2' },
      { type: 'card.status-changed', card_sequence: '3' },
    ]);
  });
});
