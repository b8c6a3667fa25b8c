import type { Queryable } from '../../db/database';
import { Money } from '../money';
import { withUnitScales, withoutAmountScales } from './unit-scales';

/** A database holding `units`, counting the statements it runs. */
function unitsDatabase(units: Record<string, number>): { db: Queryable; statements: () => number } {
  let statements = 0;
  const db = {
    query: async () => {
      statements += 1;
      return Object.entries(units).map(([code, scale]) => ({ code, scale }));
    },
  } as unknown as Queryable;
  return { db, statements: () => statements };
}

describe('withUnitScales', () => {
  it('when an answer holds amounts and flat figures, then each unit gets its scale and each amount its exact decimal', async () => {
    const { db } = unitsDatabase({ XOF: 0, 'L-GASOIL': 2 });
    const answer = {
      amount: { value: 13000, unit: 'L-GASOIL' },
      refund: { value: -5, unit: 'L-GASOIL' },
      money: Money.fromStored('150000', 'XOF'),
      balances: [{ unit: 'XOF', posted: 45000, available: 30000 }],
      at: new Date('2026-12-07T00:00:00.000Z'),
      other: { value: 3, unit: 'L-UNKNOWN' },
    };
    expect(await withUnitScales(db, answer)).toEqual({
      amount: { value: 13000, unit: 'L-GASOIL', scale: 2, decimal: '130.00' },
      refund: { value: -5, unit: 'L-GASOIL', scale: 2, decimal: '-0.05' },
      money: { value: 150000, unit: 'XOF', scale: 0, decimal: '150000' },
      balances: [{ unit: 'XOF', posted: 45000, available: 30000, scale: 0 }],
      at: '2026-12-07T00:00:00.000Z',
      other: { value: 3, unit: 'L-UNKNOWN' },
    });
  });

  it('when answers name units already read, then no statement runs; a unit not read yet reads them again, once', async () => {
    const units: Record<string, number> = { XOF: 0 };
    const { db, statements } = unitsDatabase(units);
    for (let i = 0; i < 5; i += 1)
      await withUnitScales(db, {
        items: [
          { value: i, unit: 'XOF' },
          { value: i + 1, unit: 'XOF' },
        ],
      });
    expect(statements()).toBe(1);
    await withUnitScales(db, { id: 'no amount here' });
    expect(statements()).toBe(1);
    units['L-SUPER'] = 3; // created since, by this instance or another
    expect(await withUnitScales(db, { value: 1500, unit: 'L-SUPER' })).toEqual({ value: 1500, unit: 'L-SUPER', scale: 3, decimal: '1.500' });
    await withUnitScales(db, { value: 1, unit: 'L-SUPER' });
    expect(statements()).toBe(2);
  });
});

describe('withoutAmountScales', () => {
  const { db } = unitsDatabase({ XOF: 0, 'L-GASOIL': 2 });

  it('when a request amount agrees with its unit, or says nothing of its scale, then it passes as value and unit alone', async () => {
    const body = { cardId: 'crd_1', amount: { value: 1550, unit: 'L-GASOIL', scale: 2, decimal: '15.50' } };
    expect(await withoutAmountScales(db, body)).toEqual({ cardId: 'crd_1', amount: { value: 1550, unit: 'L-GASOIL' } });
    const plain = { amount: { value: 1550, unit: 'L-GASOIL' } };
    expect(await withoutAmountScales(db, plain)).toBe(plain);
    const unit = { code: 'L-SUPER', kind: 'volume', scale: 3 };
    expect(await withoutAmountScales(db, unit)).toBe(unit);
  });

  it('when a request amount gives another scale or decimal, then it is refused naming the field, the unit and its scale', async () => {
    await expect(withoutAmountScales(db, { lines: [{ amount: { value: 1550, unit: 'L-GASOIL', scale: 3 } }] })).rejects.toMatchObject({
      code: '4210',
      errors: [{ path: '/body/lines/0/amount/scale', message: 'must be 2, the scale of L-GASOIL' }],
      details: { field: '/body/lines/0/amount/scale', unit: 'L-GASOIL', scale: 2 },
    });
    await expect(withoutAmountScales(db, { amount: { value: 1550, unit: 'L-GASOIL', decimal: '1550' } })).rejects.toMatchObject({
      code: '4211',
      details: { field: '/body/amount/decimal', unit: 'L-GASOIL', scale: 2 },
    });
  });
});
