import fc from 'fast-check';
import { amountBounds } from '../../generated/operations';
import { Money, MoneyError } from './money';

const MAX = BigInt(amountBounds.maximum);
const MIN = BigInt(amountBounds.minimum);
const xof = (value: string) => Money.fromStored(value, 'XOF');
const inBounds = fc.bigInt({ min: MIN, max: MAX });

describe('Money.fromStored', () => {
  it('when a stored string is a plain integer, then it is read exactly', () => {
    expect(xof('15000').minor).toBe(15000n);
    expect(xof('-42').minor).toBe(-42n);
    expect(xof('0').isZero()).toBe(true);
    expect(xof(String(MAX)).toApi()).toEqual({ value: amountBounds.maximum, unit: 'XOF' });
  });

  it.each(['1.5', '', '1e3', ' 12', '12 ', '-0', '+1', '01', '0x10', 'NaN', 'Infinity', '1_000', '١٢'])(
    'when a stored string is %j, then it is refused',
    (value) => {
      expect(() => xof(value)).toThrow(MoneyError);
    },
  );

  it('when a stored value lies beyond 2^53, then it is refused rather than rounded', () => {
    // Number('9007199254740993') is 9007199254740992: the old conversion lost the last unit.
    expect(() => xof('9007199254740993')).toThrow(/outside the contract's bounds/);
    expect(() => xof('-9223372036854775808')).toThrow(MoneyError);
  });

  it('when a stored value is one past either bound, then it is refused', () => {
    expect(() => xof(String(MAX + 1n))).toThrow(MoneyError);
    expect(() => xof(String(MIN - 1n))).toThrow(MoneyError);
    expect(xof(String(MIN)).isNegative()).toBe(true);
  });

  it('when PGlite returns a number or a bigint, then it is read exactly and bounds still apply', () => {
    expect(Money.fromStored(200000, 'XOF').toApi()).toEqual({ value: 200000, unit: 'XOF' });
    expect(Money.fromStored(-5n, 'XOF').minor).toBe(-5n);
    expect(() => Money.fromStored(9007199254740993n, 'XOF')).toThrow(/outside the contract's bounds/);
    for (const value of [1.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY]) expect(() => Money.fromStored(value, 'XOF')).toThrow(MoneyError);
  });

  it('when the unit is empty, then it is refused', () => {
    expect(() => Money.fromStored('1', '')).toThrow(MoneyError);
  });

  it('property: every in-bounds integer round-trips through storage and the API unchanged', () => {
    fc.assert(
      fc.property(inBounds, (minor) => {
        const money = xof(minor.toString());
        expect(money.toStored()).toBe(minor.toString());
        expect(Money.fromApi(money.toApi()).equals(money)).toBe(true);
        expect(JSON.parse(JSON.stringify(money))).toEqual({ value: Number(minor), unit: 'XOF' });
      }),
    );
  });
});

describe('Money.fromApi', () => {
  it('when the value is not a safe integer, then it is refused', () => {
    for (const value of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => Money.fromApi({ value, unit: 'XOF' })).toThrow(MoneyError);
    }
  });

  it('when the value is beyond the contract maximum, then it is refused', () => {
    expect(() => Money.fromApi({ value: amountBounds.maximum + 1, unit: 'XOF' })).toThrow(MoneyError);
    expect(() => Money.fromApi({ value: amountBounds.minimum - 1, unit: 'XOF' })).toThrow(MoneyError);
  });

  it('when the value is -0, then it is zero and not negative', () => {
    const zero = Money.fromApi({ value: -0, unit: 'XOF' });
    expect(zero.isZero()).toBe(true);
    expect(zero.isNegative()).toBe(false);
    expect(Object.is(zero.toApi().value, 0)).toBe(true);
  });
});

describe('Money arithmetic', () => {
  it('when units differ, then add, subtract, compare and sum throw', () => {
    const litres = Money.fromStored('100', 'L-GASOIL');
    expect(() => xof('1').add(litres)).toThrow(/unit mismatch/);
    expect(() => xof('1').subtract(litres)).toThrow(/unit mismatch/);
    expect(() => xof('1').compare(litres)).toThrow(/unit mismatch/);
    expect(() => Money.sum('XOF', [xof('1'), litres])).toThrow(/unit mismatch/);
    expect(xof('100').equals(litres)).toBe(false);
  });

  it('when a result leaves the bounds, then it throws instead of wrapping or rounding', () => {
    expect(() => xof(String(MAX)).add(xof('1'))).toThrow(MoneyError);
    expect(() => xof(String(MIN)).subtract(xof('1'))).toThrow(MoneyError);
    expect(() => Money.sum('XOF', [xof(String(MAX)), xof('1')])).toThrow(MoneyError);
  });

  it('when a sum passes beyond a bound on the way but ends within, then it is the exact total', () => {
    expect(Money.sum('XOF', [xof(String(MAX)), xof(String(MAX)), xof(String(-MAX))]).minor).toBe(MAX);
  });

  it('when summing nothing, then the result is zero in the unit', () => {
    expect(Money.sum('XOF', []).toApi()).toEqual({ value: 0, unit: 'XOF' });
  });

  it('property: add and subtract agree with bigint arithmetic, and subtract undoes add', () => {
    fc.assert(
      fc.property(inBounds, inBounds, (a, b) => {
        const sum = a + b;
        if (sum < MIN || sum > MAX) {
          expect(() => xof(a.toString()).add(xof(b.toString()))).toThrow(MoneyError);
          return;
        }
        const added = xof(a.toString()).add(xof(b.toString()));
        expect(added.minor).toBe(sum);
        expect(added.subtract(xof(b.toString())).minor).toBe(a);
      }),
    );
  });

  it('property: negate, compare, isZero and isNegative agree with the sign of the value', () => {
    fc.assert(
      fc.property(inBounds, inBounds, (a, b) => {
        const x = xof(a.toString());
        expect(x.negate().negate().equals(x)).toBe(true);
        expect(x.isNegative()).toBe(a < 0n);
        expect(x.isZero()).toBe(a === 0n);
        expect(x.compare(xof(b.toString()))).toBe(a < b ? -1 : a > b ? 1 : 0);
        expect(x.add(x.negate()).isZero()).toBe(true);
      }),
    );
  });

  it('property: sum equals the bigint sum when it stays in bounds', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -1_000_000n, max: 1_000_000n }), { maxLength: 50 }), (values) => {
        const total = Money.sum(
          'XOF',
          values.map((value) => xof(value.toString())),
        );
        expect(total.minor).toBe(values.reduce((a, b) => a + b, 0n));
      }),
    );
  });
});
