/**
 * CSV exports: the columns the contract declares whatever the data, the whole selection
 * beyond one page, the file name after the period and the unit, and 406 for an Accept that
 * names none of an operation's media types.
 */
import { randomUUID } from 'node:crypto';
import { operationTable } from '../generated/operations';
import { CardService, RegularisationCreateDirectionEnum } from '../generated/sdk';
import { spreadsheetCells } from './support/csv';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, credit, fundFloat, issueCard, newClientWorld, newEnergyType, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
let owner: { clientId: string; profileId: string };
let servicePointId: string;
const core = () => server.sdk({ token });
const declared = (operationId: keyof typeof operationTable): string[] =>
  (operationTable[operationId].csv ?? { columns: [] }).columns.map((column) => column.name);
const csv = (path: string, bearer = token) => call(`${server.url}${path}`, { headers: { authorization: `Bearer ${bearer}`, accept: 'text/csv' } });
const table = (text: string) => spreadsheetCells(text, ',');

/** Runs `count` calls, `width` at a time. */
async function times(count: number, width: number, run: (index: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < count; start += width) await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, i) => run(start + i)));
}

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const world = await newClientWorld(core(), 'EXPORTS', {
    label: 'Flotte',
    validityMonths: 24,
    allowedServices: [CardService.Fuel, CardService.Shop],
  });
  owner = { clientId: world.clientId, profileId: world.profileId };
  ({ id: servicePointId } = await newStation(core(), world.networkId, 'STATION-EXPORTS'));
  await newEnergyType(core(), 'GASOIL');
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

describe('columns', () => {
  it('when the operations hold nulls, a fuel payment or nothing at all, then the header is the contract’s columns in its order', async () => {
    const cardId = (await issueCard(core(), owner)).id;
    const empty = await csv(`/core/v1/operations?cardId=${cardId}`);
    expect(table(empty.text)).toEqual([declared('listOperations')]);
    await credit(core(), cardId, 100_000);
    const afterCredit = table((await csv(`/core/v1/operations?cardId=${cardId}`)).text);
    await core().coreLedger.createPayment({
      idempotencyKey: randomUUID(),
      paymentCreate: {
        cardId,
        servicePointId,
        amount: xof(15_188),
        service: CardService.Fuel,
        receiptNumber: `R-${randomUUID()}`,
        fuel: { energyTypeCode: 'GASOIL', quantityMl: 22_500, unitPrice: xof(675) },
        pumpNumber: 3,
      },
    });
    const afterPayment = table((await csv(`/core/v1/operations?cardId=${cardId}`)).text);
    expect([afterCredit[0], afterPayment[0]]).toEqual([declared('listOperations'), declared('listOperations')]);
    expect(afterPayment.slice(1).map((row) => row.length)).toEqual([declared('listOperations').length, declared('listOperations').length]);
    const cell = (name: string) => afterPayment[2][declared('listOperations').indexOf(name)];
    expect([cell('type'), cell('amount.value'), cell('fuel.energyTypeCode'), cell('fuel.quantityMl'), cell('pumpNumber'), cell('offline.terminalId')]).toEqual([
      'payment',
      '15188',
      'GASOIL',
      '22500',
      '3',
      '',
    ]);
    const statement = await csv(`/core/v1/cards/${cardId}/statement?unit=XOF&from=2026-01-01T00%3A00%3A00Z&to=2099-01-01T00%3A00%3A00Z`);
    expect(table(statement.text)[0]).toEqual(declared('getCardStatement'));
  });
});

describe('the whole selection', () => {
  it('when a card has more operations than the largest page, then its export holds every one, oldest first, whatever limit says', async () => {
    const cardId = (await issueCard(core(), owner)).id;
    await times(230, 10, (index) =>
      core().coreLedger.createRegularisation({
        idempotencyKey: randomUUID(),
        regularisationCreate: { cardId, direction: RegularisationCreateDirectionEnum.Credit, amount: xof(index + 1), reason: `Ligne ${index + 1}` },
      }),
    );
    const answer = await csv(`/core/v1/operations?cardId=${cardId}&limit=5`);
    const rows = table(answer.text).slice(1);
    const json: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (await core().coreLedger.listOperations({ cardId, limit: 100, cursor })).data;
      json.push(...page.items.map((item) => item.reference));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(rows.map((row) => row[declared('listOperations').indexOf('reference')])).toEqual(json);
    expect(json).toHaveLength(230);
    const statement = await csv(`/core/v1/cards/${cardId}/statement?unit=XOF&from=2026-01-01T00%3A00%3A00Z&to=2099-01-01T00%3A00%3A00Z&limit=3`);
    const lines = table(statement.text).slice(1);
    expect(lines).toHaveLength(230);
    expect(lines[229][declared('getCardStatement').indexOf('balanceAfter.value')]).toBe(String((230 * 231) / 2));
  });

  it('when a partner has more operations than the largest page, then its export holds every one', async () => {
    const partner = await contractedPartner(server, core(), { name: 'Export partner', scopes: ['partner:operations.read'], clientId: owner.clientId });
    await times(120, 10, () => fundFloat(core(), partner.id, 10));
    const rows = table((await csv('/partner/v1/operations?type=float-funding', partner.token)).text);
    expect(rows[0]).toEqual(declared('listPartnerOperations'));
    expect(rows.slice(1)).toHaveLength(120);
    expect(new Set(rows.slice(1).map((row) => row[declared('listPartnerOperations').indexOf('id')])).size).toBe(120);
  });
});

describe('every list', () => {
  it('when each list of the back office is exported, then its header is the contract’s columns and it holds the whole JSON selection', async () => {
    const cardId = (await issueCard(core(), owner)).id;
    await credit(core(), cardId, 500);
    await core().coreFleet.createVehicle({
      vehicleCreate: { clientId: owner.clientId, registration: '4321 EX 01', tankCapacityMl: 80_000, energyTypeCode: 'GASOIL' },
    });
    await core().coreFleet.createDriver({ driverCreate: { clientId: owner.clientId, name: 'Awa Traoré', phone: '+2250102030499', driverCode: '482915' } });
    const refused = await call(`${server.url}/core/v1/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ cardId, servicePointId, amount: xof(900), service: CardService.Shop, receiptNumber: `R-${randomUUID()}` }),
    });
    expect(refused.status).toBe(409);
    const partner = await contractedPartner(server, core(), {
      name: 'Export lists',
      scopes: ['partner:cards.read', 'partner:payments.write'],
      clientId: owner.clientId,
      servicePointId,
    });
    /** Every row of the JSON selection, page after page. */
    const everyRow = async (path: string, bearer: string) => {
      const rows: unknown[] = [];
      let cursor: string | null = null;
      do {
        const separator = path.includes('?') ? '&' : '?';
        const page = await call(`${server.url}${path}${separator}limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
          headers: { authorization: `Bearer ${bearer}` },
        });
        rows.push(...page.body.data.items);
        cursor = page.body.data.nextCursor;
      } while (cursor);
      return rows;
    };
    const lists: [keyof typeof operationTable, string, string][] = [
      ['listCards', `/core/v1/cards?clientId=${owner.clientId}`, token],
      ['listCardProfiles', '/core/v1/card-profiles', token],
      ['listOrders', '/core/v1/orders', token],
      ['listCardDeclines', `/core/v1/card-declines?cardId=${cardId}`, token],
      ['listCardExceptions', '/core/v1/card-exceptions', token],
      ['listAuthorizations', '/core/v1/authorizations', token],
      ['listAuditEvents', '/core/v1/audit-events?resourceType=card', token],
      ['listVehicles', `/core/v1/vehicles?clientId=${owner.clientId}`, token],
      ['listDrivers', `/core/v1/drivers?clientId=${owner.clientId}`, token],
      ['listVehicleConsumption', `/core/v1/vehicle-consumption?clientId=${owner.clientId}&from=2026-01-01T00%3A00%3A00Z&to=2099-01-01T00%3A00%3A00Z`, token],
      ['listPartnerCardDeclines', `/partner/v1/cards/${cardId}/declines`, partner.token],
      ['listPartnerCardHistory', `/partner/v1/cards/${cardId}/history`, partner.token],
      ['listPartnerAuthorizations', '/partner/v1/authorizations', partner.token],
    ];
    for (const [operationId, path, bearer] of lists) {
      const answer = await csv(path, bearer);
      const rows = table(answer.text);
      expect([operationId, answer.status, rows[0]]).toEqual([operationId, 200, declared(operationId)]);
      expect([operationId, rows.length - 1]).toEqual([operationId, (await everyRow(path, bearer)).length]);
    }
    const declines = table((await csv(`/core/v1/card-declines?cardId=${cardId}`)).text);
    expect(
      declines.slice(1).map((row) => [row[declared('listCardDeclines').indexOf('amount.value')], row[declared('listCardDeclines').indexOf('cardId')]]),
    ).toEqual([['900', cardId]]);
    const vehicles = table((await csv(`/core/v1/vehicles?clientId=${owner.clientId}`)).text);
    expect(vehicles.slice(1).map((row) => row[declared('listVehicles').indexOf('registration')])).toEqual(['4321 EX 01']);
    const drivers = table((await csv(`/core/v1/drivers?clientId=${owner.clientId}`)).text);
    expect(drivers.slice(1).map((row) => row[declared('listDrivers').indexOf('phone')])).toEqual(["'+2250102030499"]); // a leading + would run as a formula: prefixed
    const history = table((await csv(`/partner/v1/cards/${cardId}/history`, partner.token)).text);
    expect(history.slice(1).map((row) => row[declared('listPartnerCardHistory').indexOf('operation.amount.value')])).toContain('500');
  });
});

describe('file names', () => {
  it('when an export is asked, then its file is named after the period and, for a statement, the card and the unit', async () => {
    const cardId = (await issueCard(core(), owner)).id;
    const disposition = async (path: string) => (await csv(path)).headers.get('content-disposition');
    expect(await disposition('/core/v1/operations?from=2026-12-01T00%3A00%3A00Z&to=2026-12-02T00%3A00%3A00Z')).toBe(
      'attachment; filename="operations_2026-12-01_2026-12-02.csv"',
    );
    expect(await disposition('/core/v1/operations?from=2026-12-01T08%3A30%3A00Z')).toMatch(
      /^attachment; filename="operations_20261201T083000Z_\d{8}T\d{6}Z\.csv"$/,
    );
    expect(await disposition(`/core/v1/cards/${cardId}/statement?unit=XOF&from=2026-11-01T00%3A00%3A00Z&to=2026-12-01T00%3A00%3A00Z`)).toBe(
      `attachment; filename="card-statement_${cardId}_XOF_2026-11-01_2026-12-01.csv"`,
    );
  });
});

describe('406', () => {
  it('when Accept names only media types an operation does not serve, then 406 with the error envelope, and nothing is done', async () => {
    const cardId = (await issueCard(core(), owner)).id;
    await credit(core(), cardId, 1000);
    const ask = (path: string, accept: string, init: RequestInit = {}) =>
      call(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, accept, ...(init.headers as Record<string, string>) } });
    for (const [path, accept] of [
      ['/core/v1/operations', 'application/xml'],
      ['/core/v1/operations', 'application/json;q=0, text/csv;q=0'],
      ['/core/v1/networks', 'text/csv'],
      [`/core/v1/cards/${cardId}`, 'text/html'],
    ]) {
      const answer = await ask(path, accept);
      expect([path, answer.status, answer.headers.get('content-type'), answer.body]).toEqual([
        path,
        406,
        'application/json; charset=utf-8',
        expect.objectContaining({ success: false, code: '4170', moreInfo: '/docs#error-4170', requestId: expect.any(String) }),
      ]);
    }
    const payment = await ask('/core/v1/payments', 'text/csv', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ cardId, servicePointId, amount: xof(100), service: CardService.Shop, receiptNumber: `R-${randomUUID()}` }),
    });
    expect([payment.status, payment.body.code]).toEqual([406, '4170']);
    expect((await core().coreCards.getCard({ cardId })).data.balances.find((balance) => balance.unit === 'XOF')?.value).toBe(1000);
    for (const accept of ['*/*', 'application/*', 'application/json', 'text/csv;q=0.5, application/json']) {
      const answer = await ask('/core/v1/operations', accept);
      expect([accept, answer.status, answer.headers.get('content-type')]).toEqual([accept, 200, 'application/json; charset=utf-8']);
    }
    const bare = await call(`${server.url}/core/v1/networks`, { headers: { authorization: `Bearer ${token}`, accept: '' } });
    expect(bare.status).toBe(200);
  });
});
