/**
 * List-valued columns of the exports: a card's balances, a profile's allowed services and units,
 * a voucher's lines, steps and operations are each one CSV cell of compact JSON, each item of a
 * list of objects keyed by the dotted paths of the fields the contract keeps (`items`), and they
 * are the JSON answer's lists, item for item.
 */
import { randomUUID } from 'node:crypto';
import { operationTable } from '../generated/operations';
import { CardService, OrderType } from '../generated/sdk';
import { spreadsheetCells } from './support/csv';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, fundedCard, issueCard, newClientWorld, xof, type ClientWorld } from './support/world';

let server: TestServer;
let token: string;
let world: ClientWorld;
const core = () => server.sdk({ token });

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  world = await newClientWorld(core(), 'LISTES', { allowedServices: [CardService.Fuel, CardService.Shop], allowedUnits: ['XOF'] });
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

/** The CSV export of `path` as rows keyed by the contract's column names. */
async function exported(operationId: keyof typeof operationTable, path: string): Promise<Record<string, string>[]> {
  const answer = await call(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/csv' } });
  expect(answer.status).toBe(200);
  const [header, ...rows] = spreadsheetCells(answer.text, ',');
  expect(header).toEqual(operationTable[operationId].csv?.columns.map((column) => column.name));
  return rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index]])));
}

describe('list columns', () => {
  it('when cards are exported, then each row’s balances are its JSON balances, as value, unit and the unit’s scale', async () => {
    const funded = await fundedCard(core(), world, 25_000);
    const empty = await issueCard(core(), world);
    const rows = await exported('listCards', `/core/v1/cards?clientId=${world.clientId}`);
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(JSON.parse(byId.get(funded.id)?.balances ?? 'null')).toEqual([{ value: 25_000, unit: 'XOF', scale: 0 }]);
    expect(JSON.parse(byId.get(empty.id)?.balances ?? 'null')).toEqual([{ value: 0, unit: 'XOF', scale: 0 }]);
  });

  it('when profiles are exported, then their allowed services and units are JSON arrays of codes', async () => {
    const rows = await exported('listCardProfiles', '/core/v1/card-profiles');
    const profile = rows.find((row) => row.id === world.profileId);
    expect([JSON.parse(profile?.allowedServices ?? 'null'), JSON.parse(profile?.allowedUnits ?? 'null')]).toEqual([['fuel', 'shop'], ['XOF']]);
  });

  it('when vouchers are exported, then each row’s lines, steps and operations are its JSON answer’s, item for item, in order', async () => {
    const [first, second] = [await issueCard(core(), world), await issueCard(core(), world)];
    const entered = (
      await core().coreLedger.createOrder({
        idempotencyKey: randomUUID(),
        orderCreate: {
          type: OrderType.Recharge,
          lines: [
            { cardId: first.id, amount: xof(25_000) },
            { cardId: second.id, amount: xof(10_000) },
          ],
          reason: 'Dotation, "décembre"; =1+1',
        },
      })
    ).data;
    const waiting = (
      await core().coreLedger.createOrder({
        idempotencyKey: randomUUID(),
        orderCreate: { type: OrderType.Recharge, lines: [{ cardId: first.id, amount: xof(5) }] },
      })
    ).data;
    await core().coreLedger.validateOrder({ orderId: entered.id, orderStepRequest: { comment: 'Vu, conforme\nà la demande' } });
    const executed = (await core().coreLedger.executeOrder({ orderId: entered.id, idempotencyKey: randomUUID() })).data;
    const rows = new Map((await exported('listOrders', '/core/v1/orders')).map((row) => [row.id, row]));
    const row = rows.get(entered.id);
    expect(JSON.parse(row?.lines ?? 'null')).toEqual([
      { cardId: first.id, servicePointId: null, 'amount.value': 25_000, 'amount.unit': 'XOF', 'amount.scale': 0 },
      { cardId: second.id, servicePointId: null, 'amount.value': 10_000, 'amount.unit': 'XOF', 'amount.scale': 0 },
    ]);
    expect(JSON.parse(row?.steps ?? 'null')).toEqual(
      executed.steps.map((step) => ({
        at: step.at.toISOString(),
        step: step.step,
        'actor.id': step.actor.id,
        'actor.name': step.actor.name,
        channel: step.channel,
        comment: step.comment,
      })),
    );
    expect(JSON.parse(row?.steps ?? '[]')[1].comment).toBe('Vu, conforme\nà la demande');
    expect([JSON.parse(row?.operationIds ?? 'null'), executed.operationIds.length]).toEqual([executed.operationIds, 2]);
    // Keys in the contract's order, whatever the JSON answer's order.
    expect(Object.keys(JSON.parse(row?.lines ?? '[{}]')[0])).toEqual(operationTable.listOrders.csv?.columns.find((column) => column.name === 'lines')?.items);
    expect(JSON.parse(rows.get(waiting.id)?.operationIds ?? 'null')).toEqual([]);
  });
});
