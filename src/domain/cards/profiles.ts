/** Card profiles: validity, recharge mode, offline cap, allowed services and units. */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import { newId } from '../ids';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import { findUnit } from '../referential/units';
import { Money } from '../money';

export type CardProfile = components['schemas']['CardProfile'];
type CardProfileCreate = components['schemas']['CardProfileCreate'];
type CardProfileUpdate = components['schemas']['CardProfileUpdate'];

interface ProfileRow {
  seq: string;
  id: string;
  code: string;
  label: string;
  validity_months: number;
  recharge_mode: CardProfile['rechargeMode'];
  offline_cap_value: string;
  offline_cap_unit: string;
  allowed_services: CardProfile['allowedServices'];
  allowed_units: string[];
  driver_code_required: boolean;
  driver_code_max_failures: number;
  created_at: Date;
  updated_at: Date;
}

const toProfile = (row: ProfileRow): CardProfile => ({
  id: row.id,
  code: row.code,
  label: row.label,
  validityMonths: row.validity_months,
  rechargeMode: row.recharge_mode,
  monthlyOfflineCap: Money.fromStored(row.offline_cap_value, row.offline_cap_unit).toApi(),
  allowedServices: row.allowed_services,
  allowedUnits: row.allowed_units,
  driverCodeRequired: row.driver_code_required,
  driverCodeMaxFailures: row.driver_code_max_failures,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export async function findCardProfile(db: Queryable, actor: Actor, id: string, forUpdate = false): Promise<CardProfile> {
  const [row] = await db.query<ProfileRow>(`SELECT * FROM card_profiles WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) throw new AppError('CARD_PROFILE_NOT_FOUND', `No card profile ${id}`);
  return toProfile(row);
}

export async function listCardProfiles(db: Queryable, actor: Actor, page: PageInput): Promise<Page<CardProfile>> {
  return pageOfRows(db, 'card_profiles', [], page, toProfile);
}

function checkCapUnit(cap: { unit: string }, allowedUnits: string[]): void {
  if (!allowedUnits.includes(cap.unit)) {
    throw new AppError('AMOUNT_UNIT_INVALID', `The monthly offline cap must be in an allowed unit (${allowedUnits.join(', ')})`, {
      errors: [{ path: '/body/monthlyOfflineCap/unit', message: 'not an allowed unit of the profile' }],
    });
  }
}

/** The contract says each service and unit at most once (the SDK generator mistypes uniqueItems). */
function checkNoDuplicates(lists: Record<string, string[] | undefined>): void {
  const errors = Object.entries(lists)
    .filter(([, list]) => list && new Set(list).size !== list.length)
    .map(([name]) => ({ path: `/body/${name}`, message: 'must not contain the same item twice' }));
  if (errors.length) throw new AppError('VALIDATION_FAILED', 'A list repeats an item', { errors });
}

const checkCapValue = (cap: { value: number }) => {
  if (cap.value < 0)
    throw new AppError('VALIDATION_FAILED', 'The monthly offline cap cannot be negative', {
      errors: [{ path: '/body/monthlyOfflineCap/value', message: 'must be >= 0' }],
    });
};

export async function createCardProfile(db: Queryable, actor: Actor, input: CardProfileCreate): Promise<CardProfile> {
  checkNoDuplicates({ allowedServices: input.allowedServices, allowedUnits: input.allowedUnits });
  checkCapValue(input.monthlyOfflineCap);
  checkCapUnit(input.monthlyOfflineCap, input.allowedUnits);
  return db.transaction(async (tx) => {
    for (const unit of input.allowedUnits) await findUnit(tx, actor, unit);
    try {
      const [row] = await tx.query<ProfileRow>(
        `INSERT INTO card_profiles (id, code, label, validity_months, recharge_mode, offline_cap_value, offline_cap_unit, allowed_services, allowed_units,
           driver_code_required, driver_code_max_failures)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
        [
          newId('prf'),
          input.code,
          input.label.trim(),
          input.validityMonths,
          input.rechargeMode,
          input.monthlyOfflineCap.value,
          input.monthlyOfflineCap.unit,
          input.allowedServices,
          input.allowedUnits,
          input.driverCodeRequired ?? false,
          input.driverCodeMaxFailures ?? 5,
        ],
      );
      const profile = toProfile(row);
      await recordAudit(tx, actor, { action: 'card-profile.created', resourceType: 'card-profile', resourceId: profile.id, before: null, after: profile });
      return profile;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('DUPLICATE_CODE', `A card profile with code ${input.code} exists`);
      throw error;
    }
  });
}

export async function updateCardProfile(db: Database, actor: Actor, id: string, changes: CardProfileUpdate): Promise<CardProfile> {
  checkNoDuplicates({ allowedServices: changes.allowedServices });
  if (changes.monthlyOfflineCap) checkCapValue(changes.monthlyOfflineCap);
  return db.transaction(async (tx) => {
    const before = await findCardProfile(tx, actor, id, true);
    if (changes.monthlyOfflineCap) checkCapUnit(changes.monthlyOfflineCap, before.allowedUnits);
    const [row] = await tx.query<ProfileRow>(
      `UPDATE card_profiles SET label = COALESCE($2, label), validity_months = COALESCE($3, validity_months),
         recharge_mode = COALESCE($4, recharge_mode), offline_cap_value = COALESCE($5, offline_cap_value),
         offline_cap_unit = COALESCE($6, offline_cap_unit), allowed_services = COALESCE($7, allowed_services),
         driver_code_required = COALESCE($8, driver_code_required), driver_code_max_failures = COALESCE($9, driver_code_max_failures), updated_at = now()
       WHERE id = $1 RETURNING *`,
      [
        id,
        changes.label?.trim(),
        changes.validityMonths,
        changes.rechargeMode,
        changes.monthlyOfflineCap?.value,
        changes.monthlyOfflineCap?.unit,
        changes.allowedServices,
        changes.driverCodeRequired,
        changes.driverCodeMaxFailures,
      ],
    );
    const after = toProfile(row);
    await recordAudit(tx, actor, { action: 'card-profile.updated', resourceType: 'card-profile', resourceId: id, before, after });
    return after;
  });
}

/** Deletes a profile no card uses; PROFILE_IN_USE otherwise. */
export async function deleteCardProfile(db: Database, actor: Actor, id: string): Promise<{ id: string; deleted: true }> {
  return db.transaction(async (tx) => {
    const before = await findCardProfile(tx, actor, id, true);
    const [use] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM cards WHERE profile_id = $1', [id]);
    if (use.n > 0) throw new AppError('PROFILE_IN_USE', `${use.n} card(s) use this profile`);
    await tx.query('DELETE FROM card_profiles WHERE id = $1', [id]);
    await recordAudit(tx, actor, { action: 'card-profile.deleted', resourceType: 'card-profile', resourceId: id, before, after: null });
    return { id, deleted: true };
  });
}
