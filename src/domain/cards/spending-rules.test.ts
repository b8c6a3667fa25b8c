/** The spending rules as a pure function of the clock: period boundaries, local time at the service point, the interval between fills. */
import type { components } from '../../../generated/schema';
import { Money } from '../money';
import { breaches, needsSpends, type Attempt } from './spending-rules';
import type { Spend } from './spends';

type EffectiveControls = components['schemas']['EffectiveControls'];

const none = { source: 'none' } as const;
const controls = (rules: Partial<EffectiveControls>): EffectiveControls => ({
  amount: none,
  volume: none,
  transactions: none,
  products: none,
  locations: none,
  schedule: none,
  fillInterval: none,
  ...rules,
});
const attempt = (at: string, extra: Partial<Attempt> = {}): Attempt => ({
  at: new Date(at),
  amount: Money.fromApi({ value: 10000, unit: 'XOF' }),
  service: 'fuel',
  energyTypeCode: 'GASOIL',
  quantityMl: 15000n,
  servicePointId: 'spt_1',
  networkId: 'net_1',
  timeZone: 'Africa/Abidjan',
  cardTimeZone: 'Africa/Abidjan',
  vehicleEnergyType: null,
  ...extra,
});
const paid = (at: string, amount = 30000n, quantityMl = 40000n): Spend => ({ unit: 'XOF', amount, quantityMl, at: new Date(at), held: false, fill: true });

describe('period limits across boundaries (Africa/Abidjan, UTC)', () => {
  const weekly = controls({
    amount: { source: 'card', rule: { limits: [{ perDay: { value: 35000, unit: 'XOF' }, perWeek: { value: 35000, unit: 'XOF' } }], mode: 'hard' } },
  });
  const spends = [paid('2026-11-29T23:59:59.999Z')]; // a Sunday

  it('when the previous fill was on Sunday, then on Monday at 00:00 neither the day nor the week counts it', () => {
    expect(breaches(weekly, attempt('2026-11-30T00:00:00.000Z'), spends)).toEqual([]);
  });

  it('when the previous fill was earlier on Sunday, then the day limit is breached, with the figures', () => {
    expect(breaches(weekly, attempt('2026-11-29T23:59:59.999Z'), spends).map((breach) => breach.details)).toEqual([
      {
        rule: 'amount',
        source: 'card',
        mode: 'hard',
        period: 'perDay',
        timeZone: 'Africa/Abidjan',
        unit: 'XOF',
        limit: 35000,
        used: 30000,
        held: 0,
        requested: 10000,
      },
    ]);
  });

  it('when a month starts mid-week, then the month limit forgets the previous month and the week limit does not', () => {
    const monthly = controls({ volume: { source: 'profile', rule: { perWeek: 50000, perMonth: 50000, mode: 'soft' } } });
    const lastMonth = [paid('2026-11-30T10:00:00.000Z')]; // Monday 30 November; 1 December is a Tuesday
    expect(
      breaches(monthly, attempt('2026-12-01T10:00:00.000Z'), lastMonth).map((breach) => [breach.code, breach.details.period, breach.details.used]),
    ).toEqual([['VOLUME_LIMIT_EXCEEDED', 'perWeek', 40000]]);
    const nextWeek = attempt('2026-12-07T00:00:00.000Z');
    expect(breaches(monthly, nextWeek, [paid('2026-12-01T10:00:00.000Z', 1n, 40000n)]).map((breach) => breach.details.period)).toEqual(['perMonth']);
  });

  it('when held amounts are open, then they count with the used ones', () => {
    const held = { ...paid('2026-11-29T08:00:00.000Z'), held: true };
    expect(breaches(weekly, attempt('2026-11-29T09:00:00.000Z'), [held])[0].details).toMatchObject({ used: 0, held: 30000 });
  });
});

describe("period limits in the card's network's time zone", () => {
  const daily = controls({ amount: { source: 'profile', rule: { limits: [{ perDay: { value: 35000, unit: 'XOF' } }], mode: 'hard' } } });
  const lateFill = [paid('2026-12-04T23:30:00.000Z')];

  it('when a fill was at 23:30 UTC, then at UTC+1 (Benin, Niger) it counts in the next day, at UTC in its own; one at 22:30 UTC is the day before at UTC+1', () => {
    for (const cardTimeZone of ['Africa/Porto-Novo', 'Africa/Niamey']) {
      expect(breaches(daily, attempt('2026-12-05T10:00:00.000Z', { cardTimeZone }), lateFill).map((breach) => breach.details)).toMatchObject([
        { period: 'perDay', timeZone: cardTimeZone, used: 30000 },
      ]);
      expect(breaches(daily, attempt('2026-12-04T23:30:00.000Z', { cardTimeZone }), [paid('2026-12-04T22:30:00.000Z')])).toEqual([]);
    }
    expect(breaches(daily, attempt('2026-12-04T23:30:00.000Z'), [paid('2026-12-04T22:30:00.000Z')])).toHaveLength(1);
    expect(breaches(daily, attempt('2026-12-05T10:00:00.000Z'), lateFill)).toEqual([]);
    expect(breaches(daily, attempt('2026-12-04T23:45:00.000Z'), lateFill).map((breach) => breach.details.used)).toEqual([30000]);
  });

  it("when the service point keeps another zone than the card's network, then the limit's day is the network's", () => {
    expect(breaches(daily, attempt('2026-12-05T10:00:00.000Z', { timeZone: 'Africa/Porto-Novo' }), lateFill)).toEqual([]);
  });
});

describe('days and hours in the service point time zone', () => {
  const daytime = controls({
    schedule: { source: 'profile', rule: { windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '06:00', to: '24:00' }], mode: 'hard' } },
  });

  it('when it is 23:30 local time on a Friday at UTC+1, then the window to 24:00 allows it; at 00:30 local on Saturday it does not', () => {
    expect(breaches(daytime, attempt('2026-12-04T22:30:00.000Z', { timeZone: 'Africa/Lagos' }), [])).toEqual([]);
    expect(breaches(daytime, attempt('2026-12-04T23:30:00.000Z', { timeZone: 'Africa/Lagos' }), []).map((breach) => breach.details)).toEqual([
      { rule: 'schedule', source: 'profile', mode: 'hard', timeZone: 'Africa/Lagos', weekday: 'sat', localTime: '00:30' },
    ]);
  });

  it('when it is 05:59 local time, then the window from 06:00 refuses it', () => {
    expect(breaches(daytime, attempt('2026-12-02T05:59:00.000Z'), []).map((breach) => breach.code)).toEqual(['OUTSIDE_ALLOWED_HOURS']);
  });
});

describe('the interval between fills', () => {
  const interval = controls({ fillInterval: { source: 'card', rule: { minMinutes: 30, mode: 'soft' } } });
  const last = [paid('2026-12-02T10:00:00.000Z')];

  it('when the last fill was 29 minutes 59 seconds ago, then it is too soon; at 30 minutes it is not; a shop purchase is no fill', () => {
    expect(breaches(interval, attempt('2026-12-02T10:29:59.000Z'), last).map((breach) => breach.code)).toEqual(['FILL_TOO_SOON']);
    expect(breaches(interval, attempt('2026-12-02T10:30:00.000Z'), last)).toEqual([]);
    expect(breaches(interval, attempt('2026-12-02T10:01:00.000Z', { service: 'shop', energyTypeCode: null, quantityMl: null }), last)).toEqual([]);
  });

  it('when only per-transaction limits and places are set, then no spends are read', () => {
    expect(needsSpends(controls({ amount: { source: 'card', rule: { limits: [{ perTransaction: { value: 1, unit: 'XOF' } }], mode: 'hard' } } }))).toBe(false);
    expect(needsSpends(interval)).toBe(true);
  });
});
