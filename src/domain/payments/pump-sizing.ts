/**
 * Pump authorisation sizing: the amount held is the lowest of what the station asks (in money,
 * and in litres at the price in force), the card's available balance, what its hard money and
 * litre limits still allow, and the vehicle's tank; the answer says which bound set it.
 * Nothing left to authorise is refused with the bound's own code.
 */
import type { components } from '../../../generated/schema';
import { AppError } from '../app-error';
import { Money } from '../money';
import { breaches, hardHeadroom, type Attempt } from '../cards/spending-rules';
import type { Spend } from '../cards/spends';

type EffectiveControls = components['schemas']['EffectiveControls'];
type LimitedBy = components['schemas']['Authorization']['limitedBy'];

/** How litres and the account's unit convert: at a price per litre (a money unit) or by the unit's scale (a litre unit). */
export type LitreRate = { kind: 'money'; pricePerLitre: bigint } | { kind: 'volume'; scale: number };

export interface SizingInput {
  controls: EffectiveControls;
  attempt: Attempt;
  spends: readonly Spend[];
  /** The card's available balance in the attempt's unit. */
  available: bigint;
  /** The litres asked (a preset), if any. */
  quantityMl: bigint | null;
  /** The vehicle's tank capacity, if the card has a vehicle (a bound when the litres convert). */
  tankMl: bigint | null;
  /** null: the authorisation names no energy type, or it has no price in force. */
  rate: LitreRate | null;
}

export interface Sizing {
  amount: bigint;
  quantityMl: bigint | null;
  limitedBy: LimitedBy;
}

/** The money `ml` litres (in mL) cost: half up, as a fill's amount is computed (fuelRecord). */
const moneyFor = (ml: bigint, rate: LitreRate) => (rate.kind === 'money' ? (ml * rate.pricePerLitre + 500n) / 1000n : (ml * 10n ** BigInt(rate.scale)) / 1000n);
/** The litres (in mL) `amount` buys, rounded down. */
const litresFor = (amount: bigint, rate: LitreRate) =>
  rate.kind === 'money' ? (amount * 1000n) / rate.pricePerLitre : (amount * 1000n) / 10n ** BigInt(rate.scale);

/** Sizes the authorisation, or throws the refusal of the bound that leaves nothing. */
export function sizeAuthorization(input: SizingInput, refuseFunds: () => AppError): Sizing {
  const { controls, attempt, spends, rate } = input;
  const requested = attempt.amount.minor;
  const money: { value: bigint; by: LimitedBy }[] = [
    { value: requested, by: 'request' },
    { value: input.available, by: 'balance' },
  ];
  const amountRoom = hardHeadroom(controls, 'amount', attempt, spends);
  if (amountRoom) money.push({ value: amountRoom.remaining, by: 'amount-limit' });

  const litres: { value: bigint; by: LimitedBy }[] = [];
  if (input.quantityMl !== null) litres.push({ value: input.quantityMl, by: 'request' });
  const volumeRoom = attempt.service === 'fuel' ? hardHeadroom(controls, 'volume', attempt, spends) : null;
  if (volumeRoom) litres.push({ value: volumeRoom.remaining, by: 'volume-limit' });
  if (litres.length > 0 && rate === null) {
    const why = attempt.energyTypeCode === null ? 'names no energy type' : `has no price in force for ${attempt.energyTypeCode}`;
    throw new AppError('FUEL_RECORD_INVALID', `The authorisation is bounded in litres (${litres.map((bound) => bound.by).join(', ')}) but ${why}`, {
      errors: [{ path: '/body/energyTypeCode', message: attempt.energyTypeCode === null ? 'required to size the litres' : 'no price in force' }],
    });
  }
  // The tank bounds the litres when they convert; otherwise the capture flags a fill beyond it.
  if (input.tankMl !== null && attempt.service === 'fuel' && rate !== null) litres.push({ value: input.tankMl, by: 'tank' });
  const bounds = [...money, ...litres.map((bound) => ({ value: moneyFor(bound.value, rate as LitreRate), by: bound.by }))];
  const least = bounds.reduce((low, bound) => (bound.value < low.value ? bound : low));
  if (least.value <= 0n) {
    if (least.by === 'balance') throw refuseFunds();
    const [hard] = breaches(controls, { ...attempt, quantityMl: attempt.quantityMl ?? input.quantityMl ?? 1n }, spends).filter(
      (breach) => breach.details.mode === 'hard',
    );
    if (hard) throw new AppError(hard.code, hard.message, { details: hard.details });
    throw refuseFunds(); // a litre bound too small to buy the smallest unit of money
  }
  if (rate === null) return { amount: least.value, quantityMl: null, limitedBy: least.by };
  const litreBound = litres.reduce<bigint | null>((low, bound) => (low === null || bound.value < low ? bound.value : low), null);
  const bought = litresFor(least.value, rate);
  return { amount: least.value, quantityMl: litreBound !== null && litreBound < bought ? litreBound : bought, limitedBy: least.by };
}

/** The attempt as sized, to check the card's other rules against (and its soft limits). */
export const sizedAttempt = (attempt: Attempt, sizing: Sizing): Attempt => ({
  ...attempt,
  amount: Money.fromStored(sizing.amount.toString(), attempt.amount.unit),
  quantityMl: sizing.quantityMl,
});
