/** Core API: units, energy types and their dated prices. */
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { xof } from './support/world';

let server: TestServer;
let token: string;
const core = () => server.sdk({ token }).coreReferential;
const price = (effectiveAt: string, inclTax: number) => ({
  effectiveAt: new Date(effectiveAt),
  priceInclTax: xof(inclTax),
  priceExclVat: xof(inclTax - 100),
  priceExclTaxAndCustoms: xof(inclTax - 150),
  priceExclAllTaxes: xof(inclTax - 200),
});

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  await core().createEnergyType({ energyTypeCreate: { code: 'GASOIL', label: 'Gasoil' } });
});
afterAll(() => server.stop());

describe('units', () => {
  it('when the API starts, then XOF exists with scale 0', async () => {
    expect((await core().getUnit({ unitCode: 'XOF' })).data).toMatchObject({ kind: 'money', scale: 0, energyTypeCode: null });
  });

  it('when a volume unit is created for an energy type, then it is listed with its scale', async () => {
    await core().createUnit({ unitCreate: { code: 'L-GASOIL', label: 'Litres de gasoil', kind: 'volume', scale: 2, energyTypeCode: 'GASOIL' } });
    const units = await core().listUnits({});
    expect(units.data.items.map((unit) => [unit.code, unit.scale])).toEqual([
      ['XOF', 0],
      ['L-GASOIL', 2],
    ]);
  });

  it.each([
    ['a volume unit without energy type', { code: 'L-X', label: 'x', kind: 'volume' as const, scale: 2 }, 400, '2008'],
    ['a money unit with an energy type', { code: 'EUR', label: 'Euro', kind: 'money' as const, scale: 2, energyTypeCode: 'GASOIL' }, 400, '2008'],
    ['an unknown energy type', { code: 'L-KERO', label: 'Kérosène', kind: 'volume' as const, scale: 2, energyTypeCode: 'KEROSENE' }, 404, '3005'],
    ['a taken code', { code: 'XOF', label: 'Doublon', kind: 'money' as const, scale: 0 }, 409, '4002'],
  ])('when creating %s, then it is refused with a precise code', async (_label, unitCreate, status, code) => {
    const answer = await failure(core().createUnit({ unitCreate }));
    expect([answer.status, answer.body.code]).toEqual([status, code]);
  });

  it('when a unit is unknown, then it is 404 3004', async () => {
    const answer = await failure(core().getUnit({ unitCode: 'LITRES' }));
    expect([answer.status, answer.body.code]).toEqual([404, '3004']);
  });
});

describe('energy prices', () => {
  beforeAll(async () => {
    await core().createEnergyType({ energyTypeCreate: { code: 'SUPER', label: 'Super sans plomb' } });
  });

  it('when no price took effect yet, then there is no price in force and no current price', async () => {
    const answer = await failure(core().getEnergyPriceInForce({ energyTypeCode: 'SUPER' }));
    expect([answer.status, answer.body.code]).toEqual([404, '3006']);
    expect((await core().getEnergyType({ energyTypeCode: 'SUPER' })).data.currentPrice).toBeUndefined();
  });

  it('when prices are added over time, then the price in force at each instant is the latest before it, and history is kept', async () => {
    await core().createEnergyPrice({ energyTypeCode: 'SUPER', energyPriceCreate: price('2026-01-01T00:00:00Z', 875) });
    await core().createEnergyPrice({ energyTypeCode: 'SUPER', energyPriceCreate: price('2026-06-01T00:00:00Z', 895) });
    await core().createEnergyPrice({ energyTypeCode: 'SUPER', energyPriceCreate: price('2099-01-01T00:00:00Z', 995) });

    const at = async (instant: string) => (await core().getEnergyPriceInForce({ energyTypeCode: 'SUPER', at: new Date(instant) })).data.priceInclTax.value;
    expect(await at('2026-03-15T12:00:00Z')).toBe(875);
    expect(await at('2026-06-01T00:00:00Z')).toBe(895);
    expect(await at('2098-12-31T23:59:59Z')).toBe(895);
    expect(await at('2099-01-01T00:00:00Z')).toBe(995);
    expect((await core().getEnergyType({ energyTypeCode: 'SUPER' })).data.currentPrice?.priceInclTax).toEqual(xof(895));
    const listed = (await core().listEnergyTypes({})).data.items;
    expect(listed.map((item) => [item.code, item.currentPrice?.priceInclTax.value])).toEqual([
      ['GASOIL', undefined],
      ['SUPER', 895],
    ]);
    const history = await core().listEnergyPrices({ energyTypeCode: 'SUPER', limit: 2 });
    expect(history.data.items.map((item) => item.priceInclTax.value)).toEqual([875, 895]);
    expect(history.data.nextCursor).toEqual(expect.any(String));
  });

  it('when a price would rewrite history, then it is 409 4003 and nothing changes', async () => {
    const before = await core().listEnergyPrices({ energyTypeCode: 'SUPER' });
    const answer = await failure(core().createEnergyPrice({ energyTypeCode: 'SUPER', energyPriceCreate: price('2026-03-01T00:00:00Z', 700) }));
    expect([answer.status, answer.body.code]).toEqual([409, '4003']);
    expect(await core().listEnergyPrices({ energyTypeCode: 'SUPER' })).toEqual(before);
  });

  it('when two prices arrive at once for the same instant, then exactly one is kept', async () => {
    await core().createEnergyType({ energyTypeCreate: { code: 'GPL', label: 'Gaz de pétrole liquéfié' } });
    const attempts = await Promise.allSettled(
      [600, 610, 620, 630].map((value) => core().createEnergyPrice({ energyTypeCode: 'GPL', energyPriceCreate: price('2026-02-01T00:00:00Z', value) })),
    );
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(1);
    expect((await core().listEnergyPrices({ energyTypeCode: 'GPL' })).data.items).toHaveLength(1);
  });

  it.each([
    ['an amount in another unit', { priceExclVat: { value: 500, unit: 'L-GASOIL' } }, '2006', '/body/priceExclVat/unit'],
    ['prices increasing toward excl. all taxes', { priceExclAllTaxes: xof(2000) }, '2007', '/body/priceExclAllTaxes/value'],
    ['a zero price', { priceInclTax: xof(0) }, '2007', '/body/priceInclTax/value'],
  ])('when a price has %s, then it is 400 with a precise code and the field', async (_label, patch, code, path) => {
    const answer = await failure(
      core().createEnergyPrice({ energyTypeCode: 'GASOIL', energyPriceCreate: { ...price('2030-01-01T00:00:00Z', 900), ...patch } }),
    );
    expect([answer.status, answer.body.code]).toEqual([400, code]);
    expect(answer.body.errors.map((error: { path: string }) => error.path)).toContain(path);
  });

  it('when the energy type is unknown, then prices are 404 3005', async () => {
    const answer = await failure(core().listEnergyPrices({ energyTypeCode: 'FIOUL' }));
    expect([answer.status, answer.body.code]).toEqual([404, '3005']);
  });
});
