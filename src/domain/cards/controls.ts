/**
 * Spending controls: a card profile's default rules and a card's overrides, one
 * document of rules per level (migration 014). A card's rule of a kind replaces its profile's
 * rule of that kind as a whole, so each effective rule is consistent by itself. A write is
 * checked in full before anything is stored; enforcement at payment time reads the same
 * documents (not here: src/domain/payments/).
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import { findCardProfile, type CardProfile } from './profiles';
import { checkWithinProfile } from './controls-within-profile';

type SpendingControls = components['schemas']['SpendingControls'];
type EffectiveControls = components['schemas']['EffectiveControls'];
type ControlSource = components['schemas']['ControlSource'];
type CardControls = components['schemas']['CardControls'];
type CardProfileControls = components['schemas']['CardProfileControls'];
type FieldError = { path: string; message: string };

interface ControlsRow {
  rules: SpendingControls;
  updated_at: Date;
}

/** One kind's effective rule: the card's if it sets one, else the profile's, else none. */
function pick<Rule>(card: Rule | undefined, profile: Rule | undefined): { source: ControlSource; rule?: Rule } {
  if (card !== undefined) return { source: 'card', rule: card };
  if (profile !== undefined) return { source: 'profile', rule: profile };
  return { source: 'none' };
}

/** The rules that apply to a card: kind by kind, the card's own, else its profile's. */
export function effectiveControls(card: SpendingControls, profile: SpendingControls): EffectiveControls {
  return {
    amount: pick(card.amount, profile.amount),
    volume: pick(card.volume, profile.volume),
    transactions: pick(card.transactions, profile.transactions),
    products: pick(card.products, profile.products),
    locations: pick(card.locations, profile.locations),
    schedule: pick(card.schedule, profile.schedule),
    fillInterval: pick(card.fillInterval, profile.fillInterval),
  };
}

const PERIODS = ['perTransaction', 'perDay', 'perWeek', 'perMonth'] as const;
type Period = (typeof PERIODS)[number];

/** Every pair of periods (shorter first) whose longer period allows less than the shorter one. */
function periodConflicts(path: string, values: Partial<Record<Period, number>>): FieldError[] {
  const present = PERIODS.filter((period) => values[period] !== undefined);
  const conflicts: FieldError[] = [];
  for (const [i, shorter] of present.entries()) {
    for (const longer of present.slice(i + 1)) {
      const a = values[shorter] as number;
      const b = values[longer] as number;
      if (a > b) conflicts.push({ path: `${path}/${shorter}`, message: `${shorter} (${a}) is more than ${longer} (${b}) at ${path}/${longer}` });
    }
  }
  return conflicts;
}

/** The items listed twice, as errors on the list's path. */
function repeats(path: string, list: readonly string[] | undefined): FieldError[] {
  if (!list) return [];
  return list.filter((item, index) => list.indexOf(item) !== index).map((item) => ({ path, message: `lists ${item} more than once` }));
}

const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** The checks that need nothing but the body and the profile; each family its own code, in a fixed order. */
function checkShape(body: SpendingControls, profile: CardProfile): void {
  const duplicates: FieldError[] = [
    ...repeats('/body/products/services', body.products?.services),
    ...repeats('/body/products/energyTypes', body.products?.energyTypes),
    ...repeats('/body/locations/servicePointIds', body.locations?.servicePointIds),
    ...repeats('/body/locations/networkIds', body.locations?.networkIds),
    ...(body.schedule?.windows ?? []).flatMap((window, index) => repeats(`/body/schedule/windows/${index}/days`, window.days)),
  ];
  const units = (body.amount?.limits ?? []).map((limit) => Object.values(limit)[0]?.unit ?? '');
  duplicates.push(
    ...units.flatMap((unit, index) => (units.indexOf(unit) !== index ? [{ path: `/body/amount/limits/${index}`, message: `a second limit in ${unit}` }] : [])),
  );
  if (body.locations && (body.locations.servicePointIds?.length ?? 0) + (body.locations.networkIds?.length ?? 0) === 0) {
    duplicates.push({ path: '/body/locations', message: 'names no service point and no network' });
  }
  if (duplicates.length) throw new AppError('VALIDATION_FAILED', 'A list repeats an item or is empty', { errors: duplicates });

  const mixed = (body.amount?.limits ?? []).flatMap((limit, index) =>
    PERIODS.filter((period) => limit[period] && limit[period].unit !== units[index]).map((period) => ({
      path: `/body/amount/limits/${index}/${period}/unit`,
      message: `not ${units[index]}, the unit of this limit's other amounts`,
    })),
  );
  if (mixed.length) throw new AppError('AMOUNT_UNIT_INVALID', 'The amounts of one money limit are in different units', { errors: mixed });

  const conflicts = [
    ...(body.amount?.limits ?? []).flatMap((limit, index) =>
      periodConflicts(`/body/amount/limits/${index}`, Object.fromEntries(PERIODS.flatMap((period) => (limit[period] ? [[period, limit[period].value]] : [])))),
    ),
    ...(body.volume ? periodConflicts('/body/volume', body.volume) : []),
    ...(body.transactions ? periodConflicts('/body/transactions', body.transactions) : []),
  ];
  if (conflicts.length) {
    throw new AppError(
      'CONTROL_LIMITS_INCONSISTENT',
      `Limits must grow with their period: ${conflicts.map((conflict) => `${conflict.path}: ${conflict.message}`).join('; ')}`,
      { errors: conflicts },
    );
  }

  const windows = (body.schedule?.windows ?? []).flatMap((window, index) =>
    minutes(window.to) > minutes(window.from) ? [] : [{ path: `/body/schedule/windows/${index}/to`, message: `${window.to} is not after ${window.from}` }],
  );
  if (windows.length) throw new AppError('CONTROL_SCHEDULE_INVALID', 'A time window does not end after it starts', { errors: windows });

  const products = body.products;
  if (products) {
    const foreign = (products.services ?? []).filter((service) => !profile.allowedServices.includes(service));
    const problems: FieldError[] = foreign.map((service) => ({
      path: '/body/products/services',
      message: `${service} is not among the profile's allowed services (${profile.allowedServices.join(', ')})`,
    }));
    const services = products.services ?? profile.allowedServices;
    if (products.energyTypes && !services.includes('fuel'))
      problems.push({ path: '/body/products/energyTypes', message: 'energy types need fuel among the allowed services' });
    if (problems.length) throw new AppError('CONTROL_PRODUCTS_INVALID', problems.map((problem) => problem.message).join('; '), { errors: problems });
  }
}

/** The ids of `ids` that `table.column` does not hold. */
async function missing(
  db: Queryable,
  table: 'units' | 'energy_types' | 'service_points' | 'networks',
  column: 'code' | 'id',
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const found = await db.query<{ key: string }>(`SELECT ${column} AS key FROM ${table} WHERE ${column} = ANY($1::text[])`, [[...ids]]);
  const known = new Set(found.map((row) => row.key));
  return ids.filter((id) => !known.has(id));
}

/** The checks against the referential: units of the profile, energy types, service points and networks that exist. */
async function checkReferences(db: Queryable, body: SpendingControls, profile: CardProfile): Promise<void> {
  const units = (body.amount?.limits ?? []).map((limit) => Object.values(limit)[0]?.unit ?? '');
  const notHeld = units.filter((unit) => !profile.allowedUnits.includes(unit));
  const unknownUnits = await missing(db, 'units', 'code', notHeld);
  if (unknownUnits.length)
    throw new AppError('UNIT_NOT_FOUND', `No unit ${unknownUnits.join(', ')}`, {
      errors: unknownUnits.map((unit) => ({ path: `/body/amount/limits/${units.indexOf(unit)}`, message: `no unit ${unit}` })),
    });
  if (notHeld.length) {
    throw new AppError('AMOUNT_UNIT_INVALID', `A money limit must be in a unit of the card's profile (${profile.allowedUnits.join(', ')})`, {
      errors: notHeld.map((unit) => ({ path: `/body/amount/limits/${units.indexOf(unit)}`, message: `${unit} is not a unit of the profile` })),
    });
  }
  const lookups = [
    ['ENERGY_TYPE_NOT_FOUND', 'energy_types', 'code', '/body/products/energyTypes', body.products?.energyTypes, 'energy type'],
    ['SERVICE_POINT_NOT_FOUND', 'service_points', 'id', '/body/locations/servicePointIds', body.locations?.servicePointIds, 'service point'],
    ['NETWORK_NOT_FOUND', 'networks', 'id', '/body/locations/networkIds', body.locations?.networkIds, 'network'],
  ] as const;
  for (const [code, table, column, path, ids, noun] of lookups) {
    const unknown = await missing(db, table, column, ids ?? []);
    if (unknown.length) throw new AppError(code, `No ${noun} ${unknown.join(', ')}`, { errors: unknown.map((id) => ({ path, message: `no ${noun} ${id}` })) });
  }
}

async function checkControls(db: Queryable, body: SpendingControls, profile: CardProfile): Promise<void> {
  checkShape(body, profile);
  await checkReferences(db, body, profile);
}

async function profileControlsRow(db: Queryable, profileId: string): Promise<ControlsRow | undefined> {
  const [row] = await db.query<ControlsRow>('SELECT rules, updated_at FROM card_profile_controls WHERE profile_id = $1', [profileId]);
  return row;
}

const toProfileControls = (profileId: string, row: ControlsRow | undefined): CardProfileControls => ({
  profileId,
  controls: row?.rules ?? {},
  effective: effectiveControls({}, row?.rules ?? {}),
  updatedAt: row?.updated_at.toISOString() ?? null,
});

/** A profile's controls (CARD_PROFILE_NOT_FOUND for an unknown profile). */
export async function findCardProfileControls(db: Queryable, actor: Actor, profileId: string): Promise<CardProfileControls> {
  await findCardProfile(db, actor, profileId);
  return toProfileControls(profileId, await profileControlsRow(db, profileId));
}

/** Replaces a profile's controls after checking them all; audited. */
export async function replaceCardProfileControls(db: Database, actor: Actor, profileId: string, body: SpendingControls): Promise<CardProfileControls> {
  return db.transaction(async (tx) => {
    const profile = await findCardProfile(tx, actor, profileId, true);
    await checkControls(tx, body, profile);
    const before = await profileControlsRow(tx, profileId);
    const [row] = await tx.query<ControlsRow>(
      `INSERT INTO card_profile_controls (profile_id, rules) VALUES ($1, $2::jsonb)
       ON CONFLICT (profile_id) DO UPDATE SET rules = EXCLUDED.rules, updated_at = now() RETURNING rules, updated_at`,
      [profileId, JSON.stringify(body)],
    );
    await recordAudit(tx, actor, {
      action: 'card-profile-controls.replaced',
      resourceType: 'card-profile',
      resourceId: profileId,
      before: before?.rules ?? {},
      after: row.rules,
    });
    return toProfileControls(profileId, row);
  });
}

/** A member card's id and profile, locked for a write; CARD_NOT_FOUND, or CARD_KIND_NOT_ALLOWED for an E-service card. */
async function memberCard(db: Queryable, cardId: string, lock: boolean): Promise<{ id: string; profileId: string }> {
  const [card] = await db.query<{ id: string; kind: string; profile_id: string | null }>(
    `SELECT id, kind, profile_id FROM cards WHERE id = $1${lock ? ' FOR NO KEY UPDATE' : ''}`,
    [cardId],
  );
  if (!card) throw new AppError('CARD_NOT_FOUND', `No card ${cardId}`);
  if (card.kind !== 'member' || card.profile_id === null)
    throw new AppError('CARD_KIND_NOT_ALLOWED', `Card ${cardId} is an E-service card; only member cards have spending controls`);
  return { id: card.id, profileId: card.profile_id };
}

async function cardControlsRow(db: Queryable, cardId: string): Promise<ControlsRow | undefined> {
  const [row] = await db.query<ControlsRow>('SELECT rules, updated_at FROM card_controls WHERE card_id = $1', [cardId]);
  return row;
}

async function toCardControls(db: Queryable, card: { id: string; profileId: string }, row: ControlsRow | undefined): Promise<CardControls> {
  const profile = await profileControlsRow(db, card.profileId);
  return {
    cardId: card.id,
    profileId: card.profileId,
    overrides: row?.rules ?? {},
    effective: effectiveControls(row?.rules ?? {}, profile?.rules ?? {}),
    updatedAt: row?.updated_at.toISOString() ?? null,
  };
}

/** A card's overrides and its effective controls, each rule with its source. */
export async function findCardControls(db: Queryable, actor: Actor, cardId: string): Promise<CardControls> {
  const card = await memberCard(db, cardId, false);
  return toCardControls(db, card, await cardControlsRow(db, cardId));
}

/**
 * Replaces a card's overrides after checking them against its profile (for an operator whose
 * scope of authority is narrower than the issuer, also that they stay within the profile's
 * rules: controls-within-profile.ts); audited.
 */
export async function replaceCardControls(db: Queryable, actor: Actor, cardId: string, body: SpendingControls): Promise<CardControls> {
  return db.transaction(async (tx) => {
    const card = await memberCard(tx, cardId, true);
    await checkControls(tx, body, await findCardProfile(tx, actor, card.profileId));
    // An operator of a client company or a network (a fleet manager) tightens the profile, never loosens it.
    if (actor.scopeOfAuthority) checkWithinProfile(body, (await profileControlsRow(tx, card.profileId))?.rules ?? {});
    const before = await cardControlsRow(tx, cardId);
    const [row] = await tx.query<ControlsRow>(
      `INSERT INTO card_controls (card_id, rules) VALUES ($1, $2::jsonb)
       ON CONFLICT (card_id) DO UPDATE SET rules = EXCLUDED.rules, updated_at = now() RETURNING rules, updated_at`,
      [cardId, JSON.stringify(body)],
    );
    await recordAudit(tx, actor, { action: 'card-controls.replaced', resourceType: 'card', resourceId: cardId, before: before?.rules ?? {}, after: row.rules });
    return toCardControls(tx, card, row);
  });
}
