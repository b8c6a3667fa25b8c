/**
 * Fills of a card linked to a vehicle and issued to a driver:
 * the driver code checked, the vehicle's fuel and tank applied, the fuel record kept with its
 * vehicle, odometer and check, the exceptions raised, the vehicle's consumption report, and the
 * client-wide report (a line per vehicle, JSON and CSV).
 */
import { randomUUID } from 'node:crypto';
import { CardService } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { operationTable } from '../generated/operations';
import { spreadsheetCells } from './support/csv';
import { call, failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, fundedCard, newClientWorld, newEnergyType, newStation, xof, type ClientWorld } from './support/world';

let server: TestServer;
let token: string;
let owner: ClientWorld;
let servicePointId: string;
let receipt = 0;
const CODE = '4826';
const sdk = () => server.sdk({ token });
const ledger = () => sdk().coreLedger;
const key = () => randomUUID();

/** A funded card linked to a new GASOIL vehicle with a 60 L tank and issued to a driver with CODE. */
async function fleetCard(): Promise<{ cardId: string; vehicleId: string }> {
  const cardId = (await fundedCard(sdk(), owner, 500000)).id;
  const { clientId } = owner;
  receipt += 1;
  const vehicleId = (
    await sdk().coreFleet.createVehicle({
      vehicleCreate: { clientId, registration: `${1000 + receipt} CD 01`, tankCapacityMl: 60000, energyTypeCode: 'GASOIL' },
    })
  ).data.id;
  const driverId = (await sdk().coreFleet.createDriver({ driverCreate: { clientId, name: 'Bamba Ouattara', phone: '+2250102020202', driverCode: CODE } })).data
    .id;
  await sdk().coreFleet.replaceCardFleet({ cardId, cardFleet: { vehicleId, driverId } });
  return { cardId, vehicleId };
}

/** A fill of `litres` at 700 XOF/L. */
const fill = (cardId: string, litres: number, extra: { driverCode?: string; odometerKm?: number; energyTypeCode?: string } = {}) =>
  ledger().createPayment({
    idempotencyKey: key(),
    paymentCreate: {
      cardId,
      servicePointId,
      amount: xof(litres * 700),
      service: CardService.Fuel,
      receiptNumber: `F-${(receipt += 1)}`,
      pumpNumber: 1,
      fuel: { energyTypeCode: extra.energyTypeCode ?? 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(700) },
      ...(extra.driverCode ? { driverCode: extra.driverCode } : {}),
      ...(extra.odometerKm !== undefined ? { odometerKm: extra.odometerKm } : {}),
    },
  });
const exceptions = async (cardId: string) => (await sdk().coreCards.listCardExceptions({ cardId })).data.items;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  owner = await newClientWorld(sdk(), 'VEH', { monthlyOfflineCap: xof(100000), allowedServices: [CardService.Fuel, CardService.Shop] });
  servicePointId = (await newStation(sdk(), owner.networkId, 'STATION-VEH')).id;
  await newEnergyType(sdk(), 'GASOIL', 700);
  await newEnergyType(sdk(), 'SUPER');
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

describe('fills of a card with a vehicle and a driver', () => {
  it('when the driver code is right, missing or wrong, then the payment records matched or not-given, or is refused 4074 and declined', async () => {
    const { cardId, vehicleId } = await fleetCard();
    const matched = (await fill(cardId, 20, { driverCode: CODE, odometerKm: 10500 })).data;
    expect(matched).toMatchObject({
      vehicleId,
      odometerKm: 10500,
      driverCheck: 'matched',
      fuel: { energyTypeCode: 'GASOIL', quantityMl: 20000, unitPrice: xof(700), priceInForce: xof(700) },
    });
    expect((await fill(cardId, 20)).data.driverCheck).toBe('not-given');
    const wrong = await failure(fill(cardId, 20, { driverCode: '0000' }));
    expect([wrong.status, wrong.body.code]).toEqual([403, '4074']);
    expectDocumented('createPayment', 403, wrong.body);
    expect(JSON.stringify(wrong.body)).not.toContain(CODE);
    expect((await sdk().coreCards.listCardDeclines({ cardId })).data.items.map((item) => item.code)).toEqual(['4074']);
    expect((await ledger().listLedgerAccounts({ cardId })).data.items[0].posted.value).toBe(500000 - 2 * 14000);
  });

  it("when the fuel is not the vehicle's, then it is refused with the vehicle as the source; a card without fleet records no-driver", async () => {
    const { cardId } = await fleetCard();
    const refused = await failure(fill(cardId, 10, { energyTypeCode: 'SUPER' }));
    expect([refused.body.code, refused.body.details]).toEqual([
      '4056',
      expect.objectContaining({ rule: 'products', source: 'vehicle', allowedEnergyTypes: ['GASOIL'], energyTypeCode: 'SUPER' }),
    ]);
    const plain = (await fundedCard(sdk(), owner, 50000)).id;
    expect((await fill(plain, 10, { driverCode: CODE, energyTypeCode: 'SUPER' })).data).toMatchObject({ vehicleId: null, driverCheck: 'no-driver' });
  });

  it('when a fill is beyond the tank or the odometer goes backwards, then it is approved and each raises its exception', async () => {
    const { cardId, vehicleId } = await fleetCard();
    await fill(cardId, 30, { odometerKm: 20000 });
    const overTank = (await fill(cardId, 70)).data;
    const backwards = (await fill(cardId, 10, { odometerKm: 19950 })).data;
    expect((await exceptions(cardId)).map((item) => [item.kind, item.operationId, item.details])).toEqual([
      ['over-tank', overTank.id, { vehicleId, tankCapacityMl: 60000, quantityMl: 70000 }],
      ['odometer-backwards', backwards.id, expect.objectContaining({ vehicleId, odometerKm: 19950, lastOdometerKm: 20000 })],
    ]);
  });

  it("when a pump authorisation asks more than the tank holds, then the tank sets it, of the vehicle's fuel, and the capture keeps the vehicle, the check and the odometer", async () => {
    const { cardId, vehicleId } = await fleetCard();
    const hold = (
      await ledger().createAuthorization({
        idempotencyKey: key(),
        authorizationCreate: { cardId, servicePointId, amount: xof(100000), service: CardService.Fuel, driverCode: CODE, pumpNumber: 2 },
      })
    ).data;
    expect(hold).toMatchObject({
      amount: xof(42000),
      requested: xof(100000),
      quantityMl: 60000,
      limitedBy: 'tank',
      energyTypeCode: 'GASOIL',
      vehicleId,
      driverCheck: 'matched',
    });
    const wrongCode = await failure(
      ledger().createAuthorization({
        idempotencyKey: key(),
        authorizationCreate: { cardId, servicePointId, amount: xof(1000), service: CardService.Fuel, driverCode: '99999' },
      }),
    );
    expect([wrongCode.status, wrongCode.body.code]).toEqual([403, '4074']);
    const captured = (
      await ledger().captureAuthorization({
        authorizationId: hold.id,
        idempotencyKey: key(),
        authorizationCapture: {
          amount: xof(35000),
          receiptNumber: `F-${(receipt += 1)}`,
          odometerKm: 30100,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 50000, unitPrice: xof(700) },
        },
      })
    ).data;
    expect((await ledger().getOperation({ operationId: captured.paymentId! })).data).toMatchObject({
      vehicleId,
      driverCheck: 'matched',
      odometerKm: 30100,
      pumpNumber: 2,
    });
  });

  it('when a vehicle has fills with good, missing and backwards readings, then its report counts the distance and the litres after the first reading', async () => {
    const { cardId, vehicleId } = await fleetCard();
    const first = (await fill(cardId, 40, { odometerKm: 1000 })).data;
    await fill(cardId, 30, { odometerKm: 1500 });
    const missing = (await fill(cardId, 10)).data;
    const back = (await fill(cardId, 5, { odometerKm: 1400 })).data;
    const last = (await fill(cardId, 35, { odometerKm: 2000 })).data;
    const after = (await fill(cardId, 20)).data; // after the last reading: not in the consumption
    const report = (await sdk().coreFleet.getVehicleConsumption({ vehicleId, from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000) }))
      .data;
    expect(report).toMatchObject({
      vehicleId,
      fills: 6,
      quantityMl: 140000,
      amounts: [xof(98000)],
      firstReading: { operationId: first.id, odometerKm: 1000 },
      lastReading: { operationId: last.id, odometerKm: 2000 },
      distanceKm: 1000,
      mlPer100Km: 8000, // 30 + 10 + 5 + 35 L over 1,000 km
      unusableReadings: [
        { operationId: missing.id, odometerKm: null, reason: 'missing' },
        { operationId: back.id, odometerKm: 1400, reason: 'backwards' },
        { operationId: after.id, odometerKm: null, reason: 'missing' },
      ],
    });
    const unknown = await failure(sdk().coreFleet.getVehicleConsumption({ vehicleId: 'veh_000000000000000000000000', from: new Date(0), to: new Date() }));
    expect([unknown.status, unknown.body.code]).toEqual([404, '3015']);
    const backwardsPeriod = await failure(sdk().coreFleet.getVehicleConsumption({ vehicleId, from: new Date(), to: new Date(0) }));
    expect([backwardsPeriod.status, backwardsPeriod.body.code]).toEqual([400, '2001']);
  });

  it("when the client's fleet is reported over a period, then a line per vehicle is that vehicle's own report, a quiet vehicle a line of zeros, page after page", async () => {
    const { cardId, vehicleId } = await fleetCard();
    await fill(cardId, 40, { odometerKm: 7000 });
    await fill(cardId, 30, { odometerKm: 7400 });
    const quiet = (await sdk().coreFleet.createVehicle({ vehicleCreate: { clientId: owner.clientId, registration: 'QUIET 01', tankCapacityMl: 50000 } })).data;
    const period = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000) };
    const items = [];
    let cursor: string | undefined;
    do {
      const page = (await sdk().coreFleet.listVehicleConsumption({ clientId: owner.clientId, ...period, limit: 2, cursor })).data;
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const vehicles = (await sdk().coreFleet.listVehicles({ clientId: owner.clientId, limit: 100 })).data.items;
    expect(items.map((item) => item.vehicleId)).toEqual(vehicles.map((vehicle) => vehicle.id));
    for (const item of items) {
      const { clientId, registration, energyTypeCode, ...report } = item;
      const vehicle = vehicles.find((candidate) => candidate.id === item.vehicleId);
      expect({ clientId, registration, energyTypeCode }).toEqual({
        clientId: owner.clientId,
        registration: vehicle?.registration,
        energyTypeCode: vehicle?.energyTypeCode,
      });
      expect(report).toEqual((await sdk().coreFleet.getVehicleConsumption({ vehicleId: item.vehicleId, ...period })).data);
    }
    expect(items.find((item) => item.vehicleId === vehicleId)).toMatchObject({
      fills: 2,
      quantityMl: 70000,
      amounts: [xof(49000)],
      distanceKm: 400,
      mlPer100Km: 7500,
    });
    expect(items.find((item) => item.vehicleId === quiet.id)).toMatchObject({
      registration: 'QUIET 01',
      energyTypeCode: null,
      fills: 0,
      quantityMl: 0,
      amounts: [],
      firstReading: null,
      distanceKm: null,
      mlPer100Km: null,
      unusableReadings: [],
    });
    const backwards = await failure(sdk().coreFleet.listVehicleConsumption({ clientId: owner.clientId, from: period.to, to: period.from }));
    expect([backwards.status, backwards.body.code]).toEqual([400, '2001']);
  });

  it("when the client's fleet report is exported as CSV, then it is a row per vehicle in the contract's columns, the period in the file name, amounts with their unit's scale", async () => {
    const { cardId, vehicleId } = await fleetCard();
    await fill(cardId, 25, { odometerKm: 12000 });
    await fill(cardId, 35, { odometerKm: 12500 });
    const query = `clientId=${owner.clientId}&from=2026-01-01T00%3A00%3A00Z&to=2099-01-01T00%3A00%3A00Z`;
    const answer = await call(`${server.url}/core/v1/vehicle-consumption?${query}&limit=1`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/csv' },
    });
    expect([answer.status, answer.headers.get('content-disposition')]).toEqual([
      200,
      `attachment; filename="vehicle-consumption_${owner.clientId}_2026-01-01_2099-01-01.csv"`,
    ]);
    const [header, ...rows] = spreadsheetCells(answer.text, ',');
    expect(header).toEqual(operationTable.listVehicleConsumption.csv?.columns.map((column) => column.name));
    const json = (await call(`${server.url}/core/v1/vehicle-consumption?${query}&limit=100`, { headers: { authorization: `Bearer ${token}` } })).body.data
      .items;
    expect(rows.map((row) => row[header.indexOf('vehicleId')])).toEqual(json.map((item: { vehicleId: string }) => item.vehicleId)); // the whole selection, not one page
    const row = Object.fromEntries(header.map((name, index) => [name, rows.find((cells) => cells[header.indexOf('vehicleId')] === vehicleId)?.[index]]));
    expect(row).toMatchObject({
      fills: '2',
      quantityMl: '60000',
      amounts: '[{"value":42000,"unit":"XOF","scale":0}]',
      'firstReading.odometerKm': '12000',
      'lastReading.odometerKm': '12500',
      distanceKm: '500',
      mlPer100Km: '7000',
      unusableReadings: '[]',
      from: '2026-01-01T00:00:00.000Z',
    });
  });

  it('when an offline fill of the vehicle reads its odometer backwards, then it is booked with its vehicle and flagged', async () => {
    const { cardId, vehicleId } = await fleetCard();
    await fill(cardId, 10, { odometerKm: 5000 });
    const { data } = await ledger().uploadOfflineFills({
      servicePointId,
      offlineFillBatch: {
        terminalId: 'TPE-9',
        fills: [
          {
            terminalTransactionId: 'TPE-9-1',
            occurredAt: new Date(),
            cardId,
            amount: xof(7000),
            service: CardService.Fuel,
            odometerKm: 4990,
            receiptNumber: `F-${(receipt += 1)}`,
            fuel: { energyTypeCode: 'GASOIL', quantityMl: 10000, unitPrice: xof(700) },
          },
        ],
      },
    });
    const operation = (await ledger().getOperation({ operationId: data.results[0].operationId! })).data;
    expect(operation).toMatchObject({ vehicleId, odometerKm: 4990, driverCheck: 'not-given' });
    expect((await exceptions(cardId)).map((item) => item.kind)).toEqual(['odometer-backwards']);
  });
});
