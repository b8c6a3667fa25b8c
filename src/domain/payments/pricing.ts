/**
 * The price of a fill: its fuel record checked against its amount, its unit price (the pump
 * price) against the energy type's price in force within the price tolerance of the service
 * point or its network (hard: refused; soft: approved with a `price-deviation` exception),
 * and the card's client's price agreement applied (a payment in XOF is charged at the client's
 * price; the fuel record keeps the pump price, the client's price and the discount).
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { Money } from '../money';
import { fuelPricing, PRICE_UNIT, type FuelPricing, type PriceTolerance } from '../referential/price-agreements';
import type { Operation } from '../ledger/operations-read';
import type { SpendingContext } from './payment-accounts';
import type { NewException } from './exceptions';

type PriceDeviationDetails = components['schemas']['PriceDeviationDetails'];

type PaymentCreate = components['schemas']['PaymentCreate'];

/** Where no tolerance is set (service point, network): soft, no deviation allowed (regulated pump prices). */
const DEFAULT_TOLERANCE: PriceTolerance = { mode: 'soft', above: { value: 0, unit: PRICE_UNIT }, below: { value: 0, unit: PRICE_UNIT } };

/** A fill priced: the amount the card is charged, its fuel record, the exceptions to raise on its payment. */
export interface PricedFill {
  amount: Money;
  fuel: Operation['fuel'];
  exceptions: NewException[];
}

const halfUp = (quantityMl: bigint, perLitre: bigint) => (quantityMl * perLitre + 500n) / 1000n;

/**
 * Checks the fill's fuel record against its service and amount (FUEL_RECORD_INVALID,
 * QUANTITY_FINER_THAN_UNIT when its litres are finer than a litre unit's scale,
 * AMOUNT_MISMATCH), its unit price against the price tolerance (PRICE_DEVIATION when hard,
 * unless `offline`: a fill already served is flagged, never refused) and applies the client's
 * agreement (CLIENT_PRICE_NOT_POSITIVE when its discount leaves nothing to pay).
 */
export async function priceFill(
  tx: Queryable,
  input: Pick<PaymentCreate, 'service' | 'fuel'>,
  amount: Money,
  spending: Pick<SpendingContext, 'clientId' | 'servicePointId' | 'unit'>,
  options: { at?: Date; offline?: boolean } = {},
): Promise<PricedFill> {
  const fuel = input.fuel;
  if (input.service !== 'fuel') {
    if (fuel)
      throw new AppError('FUEL_RECORD_INVALID', `A ${input.service} payment carries no fuel record`, {
        errors: [{ path: '/body/fuel', message: 'only for service fuel' }],
      });
    return { amount, fuel: null, exceptions: [] };
  }
  if (!fuel)
    throw new AppError('FUEL_RECORD_INVALID', 'A fuel payment carries its fuel record', {
      errors: [{ path: '/body/fuel', message: 'required when service is fuel' }],
    });
  const at = options.at ?? new Date();
  const pricing = await fuelPricing(tx, fuel.energyTypeCode, spending.clientId, spending.servicePointId, at);
  if (!pricing.known)
    throw new AppError('FUEL_RECORD_INVALID', `No energy type ${fuel.energyTypeCode}`, {
      errors: [{ path: '/body/fuel/energyTypeCode', message: 'unknown energy type' }],
    });
  const { unit } = spending;
  const quantityMl = BigInt(fuel.quantityMl);
  const pumpPrice = Money.fromApi(fuel.unitPrice);
  if (unit.kind === 'money') {
    if (pumpPrice.unit !== amount.unit) {
      throw new AppError('FUEL_RECORD_INVALID', `The unit price must be in the payment's unit ${amount.unit}`, {
        errors: [{ path: '/body/fuel/unitPrice/unit', message: `must be ${amount.unit}` }],
      });
    }
    const expected = halfUp(quantityMl, pumpPrice.minor); // to the unit's smallest denomination
    if (expected !== amount.minor) {
      throw new AppError(
        'AMOUNT_MISMATCH',
        `${fuel.quantityMl} mL at ${pumpPrice.toStored()} ${pumpPrice.unit}/L is ${expected} ${amount.unit}, not ${amount.toStored()}`,
        { errors: [{ path: '/body/amount/value', message: `must be ${expected}` }] },
      );
    }
  } else {
    if (unit.energyTypeCode !== fuel.energyTypeCode) {
      throw new AppError('FUEL_RECORD_INVALID', `A payment in ${amount.unit} buys ${unit.energyTypeCode}, not ${fuel.energyTypeCode}`, {
        errors: [{ path: '/body/fuel/energyTypeCode', message: `must be ${unit.energyTypeCode}` }],
      });
    }
    const stepMl = unit.scale < 3 ? 10n ** BigInt(3 - unit.scale) : 1n;
    if (quantityMl % stepMl !== 0n) {
      const field = '/body/fuel/quantityMl';
      throw new AppError('QUANTITY_FINER_THAN_UNIT', `${fuel.quantityMl} mL is finer than ${amount.unit} (scale ${unit.scale}): a multiple of ${stepMl} mL`, {
        errors: [{ path: field, message: `must be a multiple of ${stepMl} mL (${amount.unit} has scale ${unit.scale})` }],
        details: { field, unit: amount.unit, scale: unit.scale, stepMl: Number(stepMl) },
      });
    }
    if (amount.minor * 1000n !== quantityMl * 10n ** BigInt(unit.scale)) {
      throw new AppError('AMOUNT_MISMATCH', `${fuel.quantityMl} mL is not ${amount.toStored()} ${amount.unit} (scale ${unit.scale})`, {
        errors: [{ path: '/body/amount/value', message: 'must be the quantity in the unit' }],
      });
    }
  }
  // Only a price charged in money is checked and discounted: a payment in litres charges none.
  const charged = unit.kind === 'money' && pumpPrice.unit === PRICE_UNIT;
  const exceptions = charged ? deviation(pricing, pumpPrice.minor, options.offline === true) : [];
  let clientPrice = pumpPrice.minor;
  const agreement = charged ? pricing.agreement : null;
  if (agreement) {
    clientPrice = agreement.kind === 'discount' ? pumpPrice.minor - agreement.value : agreement.value < pumpPrice.minor ? agreement.value : pumpPrice.minor;
    if (clientPrice < 1n || halfUp(quantityMl, clientPrice) < 1n) {
      throw new AppError(
        'CLIENT_PRICE_NOT_POSITIVE',
        `The client's discount of ${agreement.value} ${PRICE_UNIT}/L (agreement ${agreement.id}) leaves nothing to pay at ${pumpPrice.toStored()} ${PRICE_UNIT}/L`,
        {
          details: {
            pumpPrice: pumpPrice.toApi().value,
            discount: Money.fromStored(agreement.value.toString(), PRICE_UNIT).toApi().value,
            unit: PRICE_UNIT,
            agreementId: agreement.id,
          },
        },
      );
    }
  }
  const chargedAmount = agreement ? Money.fromStored(halfUp(quantityMl, clientPrice).toString(), amount.unit) : amount;
  return {
    amount: chargedAmount,
    exceptions,
    fuel: {
      energyTypeCode: fuel.energyTypeCode,
      quantityMl: fuel.quantityMl,
      unitPrice: Money.fromStored(clientPrice.toString(), pumpPrice.unit).toApi(),
      pumpPrice: pumpPrice.toApi(),
      priceInForce: pricing.priceInForce === null ? null : { value: Number(pricing.priceInForce), unit: PRICE_UNIT },
      discount: { value: Number(pumpPrice.minor - clientPrice), unit: pumpPrice.unit },
      discountAmount: { value: Number(amount.minor - chargedAmount.minor), unit: amount.unit },
      agreementId: agreement?.id ?? null,
    },
  };
}

/** The pump price against the price in force and the tolerance: PRICE_DEVIATION (hard, online), a `price-deviation` exception, or nothing. */
function deviation(pricing: FuelPricing, pumpPrice: bigint, offline: boolean): NewException[] {
  if (pricing.priceInForce === null) return []; // nothing to compare with
  const rule = pricing.tolerance?.rule ?? DEFAULT_TOLERANCE;
  const source: PriceDeviationDetails['source'] = pricing.tolerance?.source ?? 'default';
  const delta = pumpPrice - pricing.priceInForce;
  const allowed = BigInt(delta > 0n ? rule.above.value : rule.below.value);
  if (delta === 0n || (delta > 0n ? delta : -delta) <= allowed) return [];
  const details: PriceDeviationDetails = {
    unitPrice: Number(pumpPrice),
    priceInForce: Number(pricing.priceInForce),
    deviation: Number(delta),
    direction: delta > 0n ? 'above' : 'below',
    allowed: Number(allowed),
    unit: PRICE_UNIT,
    mode: rule.mode,
    source,
  };
  const message = `A unit price of ${pumpPrice} ${PRICE_UNIT}/L is ${delta > 0n ? delta : -delta} ${PRICE_UNIT}/L ${details.direction} the price in force of ${pricing.priceInForce} ${PRICE_UNIT}/L; the ${source} tolerance allows ${allowed}`;
  if (rule.mode === 'hard' && !offline) throw new AppError('PRICE_DEVIATION', message, { details });
  return [{ kind: 'price-deviation', rule: null, message, details }];
}
