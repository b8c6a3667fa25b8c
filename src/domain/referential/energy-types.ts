/** Energy types and their dated prices: the history is kept, never overwritten. */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import { Money } from '../money';

export type EnergyType = components['schemas']['EnergyType'];
export type EnergyPrice = components['schemas']['EnergyPrice'];
export type EnergyPriceCreate = components['schemas']['EnergyPriceCreate'];

/** Prices are XOF per litre. */
const PRICE_UNIT = 'XOF';

interface EnergyTypeRow {
  seq: string;
  code: string;
  label: string;
  created_at: Date;
}

interface PriceRow {
  seq: string;
  energy_type_code: string;
  effective_at: Date;
  price_incl_tax: string;
  price_excl_vat: string;
  price_excl_tax_and_customs: string;
  price_excl_all_taxes: string;
  created_at: Date;
}

const xof = (value: string) => Money.fromStored(value, PRICE_UNIT).toApi();

const toPrice = (row: PriceRow): EnergyPrice => ({
  energyTypeCode: row.energy_type_code,
  effectiveAt: row.effective_at.toISOString(),
  priceInclTax: xof(row.price_incl_tax),
  priceExclVat: xof(row.price_excl_vat),
  priceExclTaxAndCustoms: xof(row.price_excl_tax_and_customs),
  priceExclAllTaxes: xof(row.price_excl_all_taxes),
  createdAt: row.created_at.toISOString(),
});

/** The price in force at `at`: the latest not effective after it. */
export async function priceInForce(db: Queryable, code: string, at: Date): Promise<EnergyPrice | undefined> {
  const [row] = await db.query<PriceRow>('SELECT * FROM energy_prices WHERE energy_type_code = $1 AND effective_at <= $2 ORDER BY effective_at DESC LIMIT 1', [
    code,
    at,
  ]);
  return row ? toPrice(row) : undefined;
}

async function toEnergyType(db: Queryable, row: EnergyTypeRow): Promise<EnergyType> {
  const currentPrice = await priceInForce(db, row.code, new Date());
  return { code: row.code, label: row.label, ...(currentPrice ? { currentPrice } : {}), createdAt: row.created_at.toISOString() };
}

/** The energy type's row, or ENERGY_TYPE_NOT_FOUND; `forUpdate` serialises price additions. */
export async function findEnergyTypeRow(db: Queryable, actor: Actor, code: string, forUpdate = false): Promise<EnergyTypeRow> {
  const [row] = await db.query<EnergyTypeRow>(`SELECT * FROM energy_types WHERE code = $1${forUpdate ? ' FOR UPDATE' : ''}`, [code]);
  if (!row) throw new AppError('ENERGY_TYPE_NOT_FOUND', `No energy type ${code}`);
  return row;
}

export async function findEnergyType(db: Queryable, actor: Actor, code: string): Promise<EnergyType> {
  return toEnergyType(db, await findEnergyTypeRow(db, actor, code));
}

export async function listEnergyTypes(db: Queryable, actor: Actor, page: PageInput): Promise<Page<EnergyType>> {
  const result = await pageOfRows(db, 'energy_types', [], page, (row: EnergyTypeRow) => row);
  return { items: await Promise.all(result.items.map((row) => toEnergyType(db, row))), nextCursor: result.nextCursor };
}

export async function createEnergyType(db: Queryable, actor: Actor, input: { code: string; label: string }): Promise<EnergyType> {
  return db.transaction(async (tx) => {
    try {
      const [row] = await tx.query<EnergyTypeRow>('INSERT INTO energy_types (code, label) VALUES ($1, $2) RETURNING *', [input.code, input.label.trim()]);
      const energyType = await toEnergyType(tx, row);
      await recordAudit(tx, actor, { action: 'energy-type.created', resourceType: 'energy-type', resourceId: row.code, before: null, after: energyType });
      return energyType;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('DUPLICATE_CODE', `An energy type with code ${input.code} exists`);
      throw error;
    }
  });
}

export async function listEnergyPrices(db: Queryable, actor: Actor, code: string, page: PageInput): Promise<Page<EnergyPrice>> {
  await findEnergyTypeRow(db, actor, code);
  // Prices are added in effective order (each after the latest), so seq order is effective order.
  return pageOfRows(db, 'energy_prices', [['energy_type_code = ?', code]], page, toPrice);
}

export async function getPriceInForce(db: Queryable, actor: Actor, code: string, at: Date): Promise<EnergyPrice> {
  await findEnergyTypeRow(db, actor, code);
  const price = await priceInForce(db, code, at);
  if (!price) throw new AppError('PRICE_NOT_IN_FORCE', `${code} has no price in force at ${at.toISOString()}`);
  return price;
}

function checkPrices(input: EnergyPriceCreate): void {
  const ordered = [
    ['priceInclTax', input.priceInclTax],
    ['priceExclVat', input.priceExclVat],
    ['priceExclTaxAndCustoms', input.priceExclTaxAndCustoms],
    ['priceExclAllTaxes', input.priceExclAllTaxes],
  ] as const;
  const wrongUnit = ordered.filter(([, amount]) => amount.unit !== PRICE_UNIT);
  if (wrongUnit.length) {
    throw new AppError('AMOUNT_UNIT_INVALID', `Prices are in ${PRICE_UNIT} per litre`, {
      errors: wrongUnit.map(([name]) => ({ path: `/body/${name}/unit`, message: `must be ${PRICE_UNIT}` })),
    });
  }
  const inconsistent = ordered.filter(([, amount], index) => amount.value <= 0 || (index > 0 && amount.value > ordered[index - 1][1].value));
  if (inconsistent.length) {
    throw new AppError('PRICES_INCONSISTENT', 'Prices must be positive and must not increase from incl. tax down to excl. all taxes', {
      errors: inconsistent.map(([name]) => ({ path: `/body/${name}/value`, message: 'positive and not above the price before it' })),
    });
  }
}

export async function addEnergyPrice(db: Queryable, actor: Actor, code: string, input: EnergyPriceCreate): Promise<EnergyPrice> {
  checkPrices(input);
  const effectiveAt = new Date(input.effectiveAt);
  return db.transaction(async (tx) => {
    await findEnergyTypeRow(tx, actor, code, true);
    const [latest] = await tx.query<{ effective_at: Date }>('SELECT max(effective_at) AS effective_at FROM energy_prices WHERE energy_type_code = $1', [code]);
    if (latest?.effective_at && effectiveAt.getTime() <= latest.effective_at.getTime()) {
      throw new AppError(
        'PRICE_NOT_AFTER_LATEST',
        `The latest price of ${code} takes effect at ${latest.effective_at.toISOString()}; a new price must come after it`,
      );
    }
    try {
      const [row] = await tx.query<PriceRow>(
        `INSERT INTO energy_prices (energy_type_code, effective_at, price_incl_tax, price_excl_vat, price_excl_tax_and_customs, price_excl_all_taxes)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [code, effectiveAt, input.priceInclTax.value, input.priceExclVat.value, input.priceExclTaxAndCustoms.value, input.priceExclAllTaxes.value],
      );
      const price = toPrice(row);
      await recordAudit(tx, actor, { action: 'energy-type.priced', resourceType: 'energy-type', resourceId: code, before: null, after: price });
      return price;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('PRICE_NOT_AFTER_LATEST', 'A price with this effective instant exists');
      throw error;
    }
  });
}
