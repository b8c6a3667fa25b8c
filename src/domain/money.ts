/**
 * Amounts: an exact integer in the unit's smallest denomination, always with its unit.
 *
 * The value is a bigint inside. Stored values come from PostgreSQL BIGINT/NUMERIC columns as
 * decimal strings (pg) or numbers and bigints (PGlite) that may exceed 2^53; reading them
 * into a bigint is exact, so an
 * out-of-contract value is seen and refused instead of being silently rounded by `Number()`.
 * Every Money (constructed or computed) lies within the contract's bounds
 * (components.schemas.Amount, value minimum/maximum, read from generated/): those are safe
 * integers, so `toApi()` gives a JSON number that is exact. Floating point is never used.
 */
import { amountBounds } from '../../generated/operations';

/** The contract's amount shape: `{ value, unit }`. */
export interface ApiAmount {
  value: number;
  unit: string;
}

/** A stored amount as the database drivers return a BIGINT or scale-0 NUMERIC column. */
export type StoredAmount = string | number | bigint;

/** A malformed, out-of-bounds or mixed-unit amount: a programming or data error (callers map request faults first). */
export class MoneyError extends RangeError {
  override name = 'MoneyError';
}

const MINIMUM = BigInt(amountBounds.minimum);
const MAXIMUM = BigInt(amountBounds.maximum);
/** Decimal integers as PostgreSQL prints them: no sign on zero, no leading zeros, no spaces, dots or exponents. */
const STORED_INTEGER = /^(0|-?[1-9][0-9]*)$/;

/** An exact amount in one unit. Immutable. */
export class Money {
  private constructor(
    /** The value in the unit's smallest denomination. */
    readonly minor: bigint,
    /** The unit's code (`XOF`, `L-GASOIL`). */
    readonly unit: string,
  ) {}

  private static of(minor: bigint, unit: string): Money {
    if (typeof unit !== 'string' || unit === '') throw new MoneyError(`not a unit code: ${JSON.stringify(unit)}`);
    if (minor < MINIMUM || minor > MAXIMUM) {
      throw new MoneyError(`${minor} ${unit} is outside the contract's bounds [${MINIMUM}, ${MAXIMUM}]`);
    }
    return new Money(minor, unit);
  }

  /**
   * From a stored BIGINT/NUMERIC value as the driver returns it: pg gives a decimal string,
   * PGlite a number when it is a safe integer and a bigint beyond. A string must be a plain
   * decimal integer; a number must be a safe integer (one beyond 2^53 may already be rounded).
   */
  static fromStored(value: StoredAmount, unit: string): Money {
    if (typeof value === 'bigint') return Money.of(value, unit);
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new MoneyError(`not a stored integer amount: ${value}`);
      return Money.of(BigInt(value), unit);
    }
    if (typeof value !== 'string' || !STORED_INTEGER.test(value)) {
      throw new MoneyError(`not a stored integer amount: ${JSON.stringify(value)}`);
    }
    return Money.of(BigInt(value), unit);
  }

  /** From an API amount the validator has checked (an integer); refuses anything else all the same. */
  static fromApi(amount: ApiAmount): Money {
    if (!Number.isSafeInteger(amount.value)) throw new MoneyError(`not a safe integer amount: ${amount.value}`);
    return Money.of(BigInt(amount.value), amount.unit); // -0 becomes 0n
  }

  /** Zero in a unit. */
  static zero(unit: string): Money {
    return Money.of(0n, unit);
  }

  /** The sum of amounts in `unit` (zero for none); only the total must lie within bounds, whatever the order. */
  static sum(unit: string, amounts: Iterable<Money>): Money {
    const zero = Money.zero(unit);
    let total = 0n;
    for (const amount of amounts) {
      zero.sameUnit(amount);
      total += amount.minor;
    }
    return Money.of(total, unit);
  }

  private sameUnit(other: Money): void {
    if (other.unit !== this.unit) throw new MoneyError(`unit mismatch: ${this.unit} and ${other.unit}`);
  }

  /** this + other, same unit, within bounds. */
  add(other: Money): Money {
    this.sameUnit(other);
    return Money.of(this.minor + other.minor, this.unit);
  }

  /** this - other, same unit, within bounds. */
  subtract(other: Money): Money {
    this.sameUnit(other);
    return Money.of(this.minor - other.minor, this.unit);
  }

  /** -this. */
  negate(): Money {
    return Money.of(-this.minor, this.unit);
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than other (same unit). */
  compare(other: Money): -1 | 0 | 1 {
    this.sameUnit(other);
    return this.minor < other.minor ? -1 : this.minor > other.minor ? 1 : 0;
  }

  /** Same unit and same value. */
  equals(other: Money): boolean {
    return this.unit === other.unit && this.minor === other.minor;
  }

  /** The value is zero. */
  isZero(): boolean {
    return this.minor === 0n;
  }

  /** The value is below zero. */
  isNegative(): boolean {
    return this.minor < 0n;
  }

  /** The decimal string to store (a query parameter for a BIGINT column). */
  toStored(): string {
    return this.minor.toString();
  }

  /** The contract's shape; exact because the bounds are safe integers. */
  toApi(): ApiAmount {
    return { value: Number(this.minor), unit: this.unit };
  }

  /** JSON.stringify gives the contract's shape. */
  toJSON(): ApiAmount {
    return this.toApi();
  }
}
