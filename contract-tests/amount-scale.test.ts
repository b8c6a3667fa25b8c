/**
 * Amounts read without a second call: every amount a partner receives (balances, the float,
 * operations, the history, the statement, the events feed, holds, allowances, declines and the
 * figures of refusals) carries its unit's `scale` beside its `unit`, and an amount object the
 * exact `decimal` its value makes; the units themselves are readable. What a partner sends may
 * carry `scale` and `decimal`, which must agree with the unit, and a litre quantity finer than
 * the unit's scale is refused naming the field and the scale.
 */
import { randomUUID } from 'node:crypto';
import { CardService, RegularisationCreateDirectionEnum } from '../generated/sdk';
import { document, type Json } from './support/contract';
import { spreadsheetCells } from './support/csv';
import { call, failure, type Answer } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import {
  checkLedgerAfterEach,
  contractedPartner,
  issueCard,
  newCardProfile,
  newClient,
  newEnergyType,
  newNetwork,
  newStation,
  xof,
  type ContractedPartner,
} from './support/world';

let server: TestServer;
let coreToken: string;
let partner: ContractedPartner;
let card: { id: string; number: string };
let servicePointId: string;
const sdk = () => server.sdk({ token: coreToken });
const SCALES: Record<string, number> = { XOF: 0, 'L-GASOIL': 2 };

async function api(token: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST') headers['idempotency-key'] = randomUUID();
  return call(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}
const asPartner = (method: string, path: string, body?: unknown) => api(partner.token, method, path, body);

/** What the walk of the answers met: amount objects and flat figures beside a unit, per unit. */
interface Seen {
  amounts: string[];
  flat: string[];
}

/**
 * Checks every object of `data` that names a unit: it carries the unit's scale, and an amount
 * (`value` with the unit) carries `decimal`, whose digits are `value` with exactly `scale` of
 * them after the dot (so `value` / 10^scale is the decimal).
 */
function expectScaled(data: unknown, where: string, seen: Seen): void {
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) return node.forEach((item, index) => visit(item, `${pointer}/${index}`));
    if (node === null || typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    for (const [key, item] of Object.entries(object)) visit(item, `${pointer}/${key}`);
    if (typeof object.unit !== 'string') return;
    const scale = SCALES[object.unit];
    expect({ at: `${where}${pointer}`, unit: object.unit, scale: object.scale }).toEqual({ at: `${where}${pointer}`, unit: object.unit, scale });
    if (!Number.isInteger(object.value)) {
      seen.flat.push(`${object.unit} ${where}${pointer}`);
      return;
    }
    const decimal = String(object.decimal);
    const [whole, fraction = ''] = decimal.split('.');
    expect({ at: `${where}${pointer}`, digits: fraction.length, value: BigInt(`${whole}${fraction}`) }).toEqual({
      at: `${where}${pointer}`,
      digits: scale,
      value: BigInt(object.value as number),
    });
    seen.amounts.push(`${object.unit} ${where}${pointer}`);
  };
  visit(data, '');
}

async function partnerData(path: string): Promise<unknown> {
  const answer = await asPartner('GET', path);
  expect([path, answer.status]).toEqual([path, 200]);
  return answer.body.data;
}

const litrePayment = (quantityMl: number, value: number) => ({
  cardNumber: card.number,
  servicePointId,
  amount: { value, unit: 'L-GASOIL' },
  service: CardService.Fuel,
  fuel: { energyTypeCode: 'GASOIL', quantityMl, unitPrice: xof(715) },
  receiptNumber: `SC-${randomUUID().slice(0, 8)}`,
  externalReference: randomUUID(),
});

const refusalOf = (answer: Answer) => ({ status: answer.status, code: answer.body.code, errors: answer.body.errors, details: answer.body.details });

beforeAll(async () => {
  server = await startTestServer();
  coreToken = await server.coreToken();
  const referential = sdk().coreReferential;
  await newEnergyType(sdk(), 'GASOIL');
  await referential.createUnit({ unitCreate: { code: 'L-GASOIL', label: 'Litres de gasoil', kind: 'volume', scale: 2, energyTypeCode: 'GASOIL' } });
  const networkId = await newNetwork(sdk(), 'RES-SCALE');
  const clientId = await newClient(sdk(), networkId, 'FLOTTE-SCALE');
  const profileId = await newCardProfile(sdk(), 'SCALE', { label: 'Échelles', monthlyOfflineCap: xof(0), allowedUnits: ['XOF', 'L-GASOIL'] });
  const controls = await api(coreToken, 'PUT', `/core/v1/card-profiles/${profileId}/controls`, {
    amount: { limits: [{ perTransaction: xof(20000), perDay: xof(100000) }], mode: 'hard' },
  });
  expect(controls.status).toBe(200);
  servicePointId = (await newStation(sdk(), networkId, 'STATION-SCALE')).id;
  card = await issueCard(sdk(), { clientId, profileId });
  partner = await contractedPartner(server, sdk(), {
    name: 'Orange Money',
    scopes: ['partner:cards.read', 'partner:recharges.write', 'partner:payments.write', 'partner:operations.read', 'partner:units.read', 'partner:events.read'],
    clientId,
    servicePointId,
    float: 1000000,
  });
  const limits = await api(coreToken, 'PUT', `/core/v1/partners/${partner.id}/recharge-limits`, {
    limits: [{ unit: 'XOF', perOperation: 100000, perDay: null, perCardPerDay: null }],
  });
  expect(limits.status).toBe(200);
  await sdk().coreLedger.createRegularisation({
    idempotencyKey: randomUUID(),
    regularisationCreate: {
      cardId: card.id,
      direction: RegularisationCreateDirectionEnum.Credit,
      amount: { value: 4050, unit: 'L-GASOIL' },
      reason: 'Dotation',
    },
  });
});

afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

describe('reading amounts', () => {
  it('when the contract names a unit beside figures, then it documents the scale beside it, and the decimal beside a value', () => {
    // The server gives every object that names a `unit` its scale (src/domain/referential/unit-scales.ts): a shape without them would be refused by the response validator.
    const missing: string[] = [];
    const visit = (node: unknown, at: string): void => {
      if (Array.isArray(node)) return node.forEach((item, index) => visit(item, `${at}/${index}`));
      if (node === null || typeof node !== 'object') return;
      const properties = (node as Json).properties as Json | undefined;
      if (properties?.unit !== undefined) {
        if (properties.scale === undefined) missing.push(`${at}: scale`);
        if (properties.value !== undefined && properties.decimal === undefined) missing.push(`${at}: decimal`);
      }
      for (const [key, item] of Object.entries(node)) visit(item, `${at}/${key}`);
    };
    visit(document, '#');
    expect(missing).toEqual([]);
  });

  it('when a partner reads the units, then each gives its scale', async () => {
    const units = (await partnerData('/partner/v1/units')) as { items: { code: string; scale: number }[] };
    expect(Object.fromEntries(units.items.map((unit) => [unit.code, unit.scale]))).toMatchObject(SCALES);
    expect(await partnerData('/partner/v1/units/L-GASOIL')).toMatchObject({ code: 'L-GASOIL', scale: 2 });
  });

  it('when a partner recharges, pays in litres and holds, then every amount it reads carries its scale and the decimal its value makes', async () => {
    const recharge = await asPartner('POST', '/partner/v1/recharges', {
      cardId: card.id,
      amount: { value: 30000, unit: 'XOF' },
      externalReference: randomUUID(),
    });
    expect(recharge.status).toBe(200);
    const payment = await asPartner('POST', '/partner/v1/payments', litrePayment(20000, 2000));
    expect(payment.status).toBe(200);
    expect(payment.body.data.amount).toEqual({ value: 2000, unit: 'L-GASOIL', scale: 2, decimal: '20.00' });
    const hold = await asPartner('POST', '/partner/v1/authorizations', {
      cardNumber: card.number,
      servicePointId,
      amount: { value: 10000, unit: 'XOF' },
      service: CardService.Fuel,
      energyTypeCode: 'GASOIL',
    });
    expect(hold.status).toBe(200);
    expect(hold.body.data.amount).toEqual({ value: 10000, unit: 'XOF', scale: 0, decimal: '10000' });

    const seen: Seen = { amounts: [], flat: [] };
    const day = new Date().toISOString().slice(0, 10);
    const answers: Record<string, unknown> = {
      recharge: recharge.body.data,
      payment: payment.body.data,
      hold: hold.body.data,
      card: await partnerData(`/partner/v1/cards/${card.id}`),
      allowances: await partnerData(`/partner/v1/cards/${card.id}/allowances`),
      history: await partnerData(`/partner/v1/cards/${card.id}/history`),
      float: await partnerData('/partner/v1/float'),
      operations: await partnerData('/partner/v1/operations'),
      operation: await partnerData(`/partner/v1/operations/${payment.body.data.id}`),
      holdRead: await partnerData(`/partner/v1/authorizations/${hold.body.data.id}`),
      statement: await partnerData(`/partner/v1/statements/${day}?unit=XOF`),
      events: await partnerData('/partner/v1/events?limit=100'),
    };
    for (const [where, data] of Object.entries(answers)) expectScaled(data, where, seen);

    const card_ = answers.card as { balances: unknown[] };
    expect(card_.balances).toEqual(
      expect.arrayContaining([
        { unit: 'XOF', scale: 0, posted: 30000, available: 20000 },
        { unit: 'L-GASOIL', scale: 2, posted: 2050, available: 2050 },
      ]),
    );
    const events = answers.events as { items: { type: string; data: { amount: unknown } }[] };
    expect(events.items.map((event) => event.data.amount)).toContainEqual({ value: 2000, unit: 'L-GASOIL', scale: 2, decimal: '20.00' });
    // Every kind of answer met amounts, in both units, as objects and as flat figures.
    for (const where of Object.keys(answers)) expect([where, seen.amounts.concat(seen.flat).some((at) => at.includes(` ${where}/`))]).toEqual([where, true]);
    expect(seen.amounts.some((at) => at.startsWith('L-GASOIL events/'))).toBe(true);
    expect(seen.flat.some((at) => at.startsWith('XOF allowances/'))).toBe(true);
    expect(seen.flat.some((at) => at.startsWith('XOF float/'))).toBe(true);
  });

  it('when a refusal gives its figures, then they carry their unit’s scale, live and as the partner reads the declines', async () => {
    const seen: Seen = { amounts: [], flat: [] };
    const overLimit = await asPartner('POST', '/partner/v1/recharges', { cardId: card.id, amount: xof(150000), externalReference: randomUUID() });
    expect([overLimit.status, overLimit.body.code]).toEqual([409, '4080']);
    expect(overLimit.body.details).toMatchObject({ rechargeLimit: 'perOperation', unit: 'XOF', scale: 0, limit: 100000 });

    const overControl = await asPartner('POST', '/partner/v1/payments', {
      ...litrePayment(35000, 0),
      amount: xof(25025),
    });
    expect(overControl.body.code).toMatch(/^405[3-9]$/u);
    expect(overControl.body.details).toMatchObject({ rule: 'amount', unit: 'XOF', scale: 0, limit: 20000, requested: 25025 });

    const noFunds = await failure(
      sdk().coreLedger.createPayment({
        idempotencyKey: randomUUID(),
        paymentCreate: {
          cardId: card.id,
          servicePointId,
          amount: { value: 3000, unit: 'L-GASOIL' },
          service: CardService.Fuel,
          receiptNumber: 'SC-FUNDS',
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 30000, unitPrice: xof(715) },
        },
      }),
    );
    expect([noFunds.status, noFunds.body.code]).toEqual([409, '4010']);
    expect(noFunds.body.details.available).toEqual({ value: 2050, unit: 'L-GASOIL', scale: 2, decimal: '20.50' });

    expectScaled(overLimit.body.details, 'overLimit', seen);
    expectScaled(overControl.body.details, 'overControl', seen);
    expectScaled(noFunds.body.details, 'noFunds', seen);
    const declines = (await partnerData(`/partner/v1/cards/${card.id}/declines`)) as { items: { code: string; details: unknown }[] };
    expectScaled(declines, 'declines', seen);
    expect(declines.items.find((decline) => decline.code === '4010')?.details).toMatchObject({
      requested: { value: 3000, unit: 'L-GASOIL', scale: 2, decimal: '30.00' },
    });
    expect(seen.flat.some((at) => at.startsWith('XOF overControl'))).toBe(true);
    expect(seen.amounts.some((at) => at.startsWith('L-GASOIL declines/'))).toBe(true);
  });

  it('when a Core answer shares the shapes, then its amounts carry their scale too', async () => {
    const seen: Seen = { amounts: [], flat: [] };
    const accounts = await api(coreToken, 'GET', `/core/v1/ledger-accounts?cardId=${card.id}`);
    expect(accounts.status).toBe(200);
    expectScaled(accounts.body.data, 'accounts', seen);
    expect(seen.amounts.some((at) => at.startsWith('L-GASOIL accounts/'))).toBe(true);
  });
});

describe('exported amounts', () => {
  it('when a partner exports what it reads as CSV, then beside each unit is its scale, so a litre amount reads without a second call', async () => {
    const day = new Date().toISOString().slice(0, 10);
    const exports = [
      `/partner/v1/cards/${card.id}/history`,
      `/partner/v1/cards/${card.id}/declines`,
      '/partner/v1/operations',
      '/partner/v1/authorizations',
      `/partner/v1/statements/${day}?unit=XOF`,
    ];
    const units = new Set<string>();
    for (const path of exports) {
      const answer = await call(`${server.url}${path}`, { headers: { authorization: `Bearer ${partner.token}`, accept: 'text/csv' } });
      expect([path, answer.status]).toEqual([path, 200]);
      const [header, ...rows] = spreadsheetCells(answer.text, ',');
      const unitColumns = header.filter((name) => name === 'unit' || name.endsWith('.unit'));
      expect([path, unitColumns.length > 0, rows.length > 0]).toEqual([path, true, true]);
      for (const unitColumn of unitColumns) {
        const scaleColumn = unitColumn.replace(/unit$/u, 'scale');
        expect([path, header.indexOf(scaleColumn)]).toEqual([path, header.indexOf(unitColumn) + 1]);
        for (const row of rows) {
          const unit = row[header.indexOf(unitColumn)];
          if (unit === '') continue; // no amount of that kind on the row (a history line that is no decline)
          units.add(unit);
          expect({ path, unit, scale: row[header.indexOf(scaleColumn)] }).toEqual({ path, unit, scale: String(SCALES[unit]) });
        }
      }
    }
    expect([...units].sort()).toEqual(['L-GASOIL', 'XOF']);
    // The litre payment of 20.00 L: 2000 at scale 2, its price per litre in XOF beside its own unit and scale.
    for (const path of ['/partner/v1/operations', '/core/v1/operations']) {
      const bearer = path.startsWith('/core') ? coreToken : partner.token;
      const operations = await call(`${server.url}${path}`, { headers: { authorization: `Bearer ${bearer}`, accept: 'text/csv' } });
      const [header, ...rows] = spreadsheetCells(operations.text, ',');
      const at = (row: string[], name: string) => row[header.indexOf(name)];
      const columns = ['type', 'amount.value', 'amount.unit', 'amount.scale', 'fuel.unitPrice.unit', 'fuel.unitPrice.scale'];
      const litres = rows
        .filter((row) => at(row, 'amount.unit') === 'L-GASOIL' && at(row, 'type') === 'payment')
        .map((row) => columns.map((name) => at(row, name)));
      expect([path, litres[0]]).toEqual([path, ['payment', '2000', 'L-GASOIL', '2', 'XOF', '0']]);
    }
  });
});

describe('sending amounts', () => {
  it('when an amount gives its scale and decimal, then they must agree with the unit: a wrong one is refused naming the field and the scale', async () => {
    const recharge = (amount: object) => asPartner('POST', '/partner/v1/recharges', { cardId: card.id, amount, externalReference: randomUUID() });
    expect(refusalOf(await recharge({ value: 1000, unit: 'XOF', scale: 2 }))).toEqual({
      status: 400,
      code: '4210',
      errors: [{ path: '/body/amount/scale', message: 'must be 0, the scale of XOF' }],
      details: { field: '/body/amount/scale', unit: 'XOF', scale: 0 },
    });
    expect(refusalOf(await recharge({ value: 1000, unit: 'XOF', decimal: '10.00' }))).toEqual({
      status: 400,
      code: '4211',
      errors: [{ path: '/body/amount/decimal', message: 'must be "1000" (value at XOF\'s scale 0)' }],
      details: { field: '/body/amount/decimal', unit: 'XOF', scale: 0 },
    });
    const echoed = await recharge({ value: 1000, unit: 'XOF', scale: 0, decimal: '1000' });
    expect([echoed.status, echoed.body.data.amount]).toEqual([200, { value: 1000, unit: 'XOF', scale: 0, decimal: '1000' }]);
  });

  it('when a payment in litres gives a quantity finer than its unit, then it is refused with 4212 naming the field, the unit and its scale', async () => {
    const answer = await asPartner('POST', '/partner/v1/payments', litrePayment(10005, 1000));
    expect(refusalOf(answer)).toEqual({
      status: 400,
      code: '4212',
      errors: [{ path: '/body/fuel/quantityMl', message: 'must be a multiple of 10 mL (L-GASOIL has scale 2)' }],
      details: { field: '/body/fuel/quantityMl', unit: 'L-GASOIL', scale: 2, stepMl: 10 },
    });
    const exact = await asPartner('POST', '/partner/v1/payments', litrePayment(10010, 1001));
    expect([exact.status, exact.body.data.amount]).toEqual([200, { value: 1001, unit: 'L-GASOIL', scale: 2, decimal: '10.01' }]);
  });
});
