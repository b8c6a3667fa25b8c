/**
 * Offline fills (issue 14 item 7): booked even when the card's rules would refuse them and
 * below a zero balance, once per terminal transaction id (a batch uploaded twice books
 * nothing twice), flagged beyond the monthly offline cap; a bad batch books nothing.
 */
import { randomUUID } from 'node:crypto';
import { CardService, RechargeMode, type OfflineFill } from '../generated/sdk';
import { SYSTEM_ACTORS } from '../src/domain/actor';
import { checkLedger } from '../src/domain/ledger/invariants';
import { expectDocumented } from './support/contract';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let token: string;
let clientId: string;
let profileId: string;
let servicePointId: string;
let sequence = 0;
const xof = (value: number) => ({ value, unit: 'XOF' });
const sdk = () => server.sdk({ token });
const ledger = () => sdk().coreLedger;
const key = () => randomUUID();

async function fundedCard(value: number): Promise<string> {
  const cardId = (await sdk().coreCards.issueCard({ cardIssue: { clientId, profileId, holder: { name: 'Adama Koné', phone: '+2250708091011' } } })).data.id;
  if (value > 0) await ledger().createRegularisation({ idempotencyKey: key(), regularisationCreate: { cardId, direction: 'credit', amount: xof(value), reason: 'Solde de départ' } });
  return cardId;
}

/** A fill of `litres` of GASOIL at 700 XOF/L, an hour ago. */
const offlineFill = (cardId: string, litres: number): OfflineFill => {
  sequence += 1;
  return {
    terminalTransactionId: `TPE-1-${sequence}`, occurredAt: new Date(Date.now() - 3_600_000), cardId, amount: xof(litres * 700), service: CardService.Fuel,
    fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(700) }, pumpNumber: 1, receiptNumber: `OFF-${sequence}`,
  };
};
const upload = (fills: OfflineFill[], terminalId = 'TPE-1') => ledger().uploadOfflineFills({ servicePointId, offlineFillBatch: { terminalId, fills } });
const posted = async (cardId: string) => (await ledger().listLedgerAccounts({ cardId })).data.items[0].posted.value;
const operationCount = async () => (await server.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_operations'))[0].n;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const referential = sdk().coreReferential;
  const networkId = (await referential.createNetwork({ networkCreate: { code: 'RES-HORS-LIGNE', name: 'Réseau hors ligne' } })).data.id;
  clientId = (await referential.createClient({ clientCreate: { networkId, code: 'FLOTTE-HL', name: 'Flotte hors ligne' } })).data.id;
  profileId = (await sdk().coreCards.createCardProfile({
    cardProfileCreate: { code: 'HORS-LIGNE', label: 'Hors ligne', validityMonths: 12, rechargeMode: RechargeMode.Manual, monthlyOfflineCap: xof(20000), allowedServices: [CardService.Fuel], allowedUnits: ['XOF'] },
  })).data.id;
  servicePointId = (await referential.createServicePoint({ servicePointCreate: { code: 'STATION-HL', name: 'Station Treichville', address: 'Treichville', networkId } })).data.id;
  await referential.createEnergyType({ energyTypeCreate: { code: 'GASOIL', label: 'Gasoil' } });
});
afterEach(async () => {
  expect((await checkLedger(server.database.db, SYSTEM_ACTORS.system)).filter((result) => result.violations.length > 0)).toEqual([]);
});
afterAll(() => server.stop());

describe('offline fills', () => {
  it('when a suspended card with hard limits uploads fills beyond its balance and its cap, then all are booked, the balance shown below zero, the one over the cap flagged', async () => {
    const cardId = await fundedCard(10000);
    expect((await sdk().coreCards.replaceCardControls({ cardId, spendingControls: { amount: { limits: [{ perTransaction: xof(5000) }], mode: 'hard' } } })).data.cardId).toBe(cardId);
    await sdk().coreCards.suspendCard({ cardId, cardTransitionRequest: { reason: 'contrôle' } });
    const fills = [offlineFill(cardId, 20), offlineFill(cardId, 10)];
    const { data } = await upload(fills);
    expect(data.results.map((result) => [result.status, result.overCap, result.balanceAfter, result.error])).toEqual([
      ['booked', false, xof(-4000), null],
      ['booked', true, xof(-11000), null],
    ]);
    expect(await posted(cardId)).toBe(-11000);
    const operation = (await ledger().getOperation({ operationId: data.results[0].operationId! })).data;
    expect(operation).toMatchObject({ type: 'payment', amount: xof(14000), offline: { terminalId: 'TPE-1', terminalTransactionId: fills[0].terminalTransactionId, occurredAt: fills[0].occurredAt } });
    const [exception, ...others] = (await sdk().coreCards.listCardExceptions({ cardId })).data.items;
    expect(others).toEqual([]);
    expect(exception).toMatchObject({ kind: 'offline-over-cap', rule: null, operationId: data.results[1].operationId, details: { cap: 20000, usedBefore: 14000, amount: 7000, unit: 'XOF' } });

    const again = (await upload(fills)).data; // the terminal did not see the answer: it uploads again
    expect(again.results.map((result) => [result.status, result.operationId])).toEqual(data.results.map((result) => ['already-booked', result.operationId]));
    expect(await posted(cardId)).toBe(-11000);

    await sdk().coreCards.reactivateCard({ cardId, cardTransitionRequest: { reason: 'fin du contrôle' } });
    const online = await failure(ledger().createPayment({ idempotencyKey: key(), paymentCreate: { cardId, servicePointId, amount: xof(100), service: CardService.Fuel, receiptNumber: 'ON-1', fuel: { energyTypeCode: 'GASOIL', quantityMl: 143, unitPrice: xof(700) } } }));
    expect(online.body.code).toBe('4010'); // below zero, nothing online
    await ledger().createRegularisation({ idempotencyKey: key(), regularisationCreate: { cardId, direction: 'credit', amount: xof(20000), reason: 'Recharge' } });
    expect(await posted(cardId)).toBe(9000); // the next recharge makes it good
  });

  it('when a fill of a batch is refused, then the others are booked and its result says why', async () => {
    const cardId = await fundedCard(50000);
    const first = offlineFill(cardId, 5);
    await upload([first]);
    const reusedReceipt = { ...offlineFill(cardId, 5), receiptNumber: first.receiptNumber };
    const conflict = { ...first, amount: xof(4200), fuel: { energyTypeCode: 'GASOIL', quantityMl: 6000, unitPrice: xof(700) } };
    const unknownCard = offlineFill('crd_000000000000000000000000', 5);
    const mismatch = { ...offlineFill(cardId, 5), amount: xof(1) };
    const good = offlineFill(cardId, 5);
    const { data } = await upload([reusedReceipt, conflict, unknownCard, mismatch, good]);
    expect(data.results.map((result) => [result.status, result.error?.code ?? null])).toEqual([
      ['refused', '4022'], ['refused', '4062'], ['refused', '3008'], ['refused', '4023'], ['booked', null],
    ]);
    expect(await posted(cardId)).toBe(50000 - 2 * 3500);
  });

  it('when a batch lists a transaction id twice or a fill in the future, then it is refused whole and nothing is booked', async () => {
    const cardId = await fundedCard(50000);
    const before = await operationCount();
    const fill = offlineFill(cardId, 5);
    const twice = await failure(upload([fill, { ...fill, receiptNumber: 'OFF-other' }]));
    expect([twice.status, twice.body.code, twice.body.errors]).toEqual([400, '4060', [{ path: '/body/fills/1/terminalTransactionId', message: `${fill.terminalTransactionId} is already fill 0` }]]);
    expectDocumented('uploadOfflineFills', 400, twice.body);
    const future = await failure(upload([offlineFill(cardId, 5), { ...offlineFill(cardId, 5), occurredAt: new Date(Date.now() + 3_600_000) }]));
    expect([future.status, future.body.code, future.body.errors[0].path]).toEqual([400, '4061', '/body/fills/1/occurredAt']);
    const unknownStation = await failure(ledger().uploadOfflineFills({ servicePointId: 'spt_000000000000000000000000', offlineFillBatch: { terminalId: 'TPE-1', fills: [offlineFill(cardId, 5)] } }));
    expect([unknownStation.status, unknownStation.body.code]).toEqual([404, '3009']);
    expect(await operationCount()).toBe(before);
  });

  it('when one batch is uploaded twice at once, then each fill is booked once', async () => {
    const cardId = await fundedCard(50000);
    const fills = [offlineFill(cardId, 5), offlineFill(cardId, 5), offlineFill(cardId, 5)];
    const [a, b] = await Promise.all([upload(fills), upload(fills)]);
    const outcomes = a.data.results.map((result, index) => [result.status, b.data.results[index].status].sort());
    expect(outcomes).toEqual(fills.map(() => ['already-booked', 'booked']));
    expect(await posted(cardId)).toBe(50000 - 3 * 3500);
  });
});
