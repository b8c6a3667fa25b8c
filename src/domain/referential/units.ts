/** Units: what balances are held in, each with a fixed scale. */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import { findEnergyTypeRow } from './energy-types';

export type Unit = components['schemas']['Unit'];
export type UnitCreate = components['schemas']['UnitCreate'];

/** The unit money amounts are held in. */
export const MONEY_UNIT = 'XOF';

interface UnitRow {
  seq: string;
  code: string;
  label: string;
  kind: Unit['kind'];
  scale: number;
  energy_type_code: string | null;
  created_at: Date;
}

const toUnit = (row: UnitRow): Unit => ({
  code: row.code,
  label: row.label,
  kind: row.kind,
  scale: row.scale,
  energyTypeCode: row.energy_type_code,
  createdAt: row.created_at.toISOString(),
});

export async function findUnit(db: Queryable, actor: Actor, code: string): Promise<Unit> {
  const [row] = await db.query<UnitRow>('SELECT * FROM units WHERE code = $1', [code]);
  if (!row) throw new AppError('UNIT_NOT_FOUND', `No unit ${code}`);
  return toUnit(row);
}

export async function listUnits(db: Queryable, actor: Actor, page: PageInput): Promise<Page<Unit>> {
  return pageOfRows(db, 'units', [], page, toUnit);
}

export async function createUnit(db: Queryable, actor: Actor, input: UnitCreate): Promise<Unit> {
  if ((input.kind === 'volume') !== (input.energyTypeCode !== undefined)) {
    throw new AppError('UNIT_DEFINITION_INVALID', 'A volume unit needs energyTypeCode; a money unit takes none', {
      errors: [{ path: '/body/energyTypeCode', message: input.kind === 'volume' ? 'required for a volume unit' : 'not allowed for a money unit' }],
    });
  }
  return db.transaction(async (tx) => {
    if (input.energyTypeCode) await findEnergyTypeRow(tx, actor, input.energyTypeCode);
    try {
      const [row] = await tx.query<UnitRow>('INSERT INTO units (code, label, kind, scale, energy_type_code) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
        input.code,
        input.label.trim(),
        input.kind,
        input.scale,
        input.energyTypeCode ?? null,
      ]);
      const unit = toUnit(row);
      await recordAudit(tx, actor, { action: 'unit.created', resourceType: 'unit', resourceId: unit.code, before: null, after: unit });
      return unit;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('DUPLICATE_CODE', `A unit with code ${input.code} exists`);
      throw error;
    }
  });
}
