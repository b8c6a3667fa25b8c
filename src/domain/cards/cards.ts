/** Member cards: issue, read, list, look up by number, and the status lifecycle. */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { batchedStatement } from '../../db/batched';
import { pageOfRows, pageOfSettledRows, whereClause, type Page, type PageInput, type SettledPage } from '../pagination';
import { authorityFilter } from '../scope-of-authority';
import { newId } from '../ids';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import { type CardVault, isValidCardNumber, maskCardNumber, newCardNumber } from './card-numbers';
import { MONEY_UNIT } from '../referential/units';
import { Money, type StoredAmount } from '../money';
import { findCardProfile } from './profiles';
import { lockActiveClient } from '../referential/clients';
import { cardBalances, openCardAccounts } from '../ledger/accounts';
import { recordCardEvents } from '../events/events';
import { worldNowOf } from '../clocks';

export type Card = components['schemas']['Card'];
export type IssuedCard = components['schemas']['IssuedCard'];
type CardStatus = Card['status'];
export type CardTransition = components['schemas']['CardTransition'];
type CardNumberReveal = components['schemas']['CardNumberReveal'];
type StoredStatus = Exclude<CardStatus, 'expired'>;

interface CardRow {
  seq: string;
  id: string;
  kind: Card['kind'];
  masked_number: string;
  client_id: string | null;
  profile_id: string | null;
  service_point_id: string | null;
  holder_name: string | null;
  holder_phone: string | null;
  vehicle_id: string | null;
  driver_id: string | null;
  status: StoredStatus;
  status_reason: string | null;
  expires_at: Date | null;
  cancelled_by_id: string | null;
  cancelled_by_name: string | null;
  cancellation_reason: string | null;
  cancelled_at: Date | null;
  created_at: Date;
  updated_at: Date;
  /** The time now in the card's world (clocks.ts worldNowOf): what its expiry is judged at. */
  world_now: Date;
}

/** SQL: the time now in the world of the card `card` (an alias of the cards table) as `world_now`. */
const WORLD_NOW = (card: string) => `${worldNowOf(`${card}.client_id`)} AS world_now`;

/** The cards with the time now in each one's world, as a table named `cards` (for pageOfRows and filters on world_now). */
const CARDS_WITH_WORLD_NOW = `(SELECT c.*, ${WORLD_NOW('c')} FROM cards c) cards`;

/**
 * The status a caller sees: active and suspended cards past their expiry are expired, judged at
 * the time now in the card's world (`world_now`, read with the row: the wall clock but in a
 * sandbox world moved forward).
 */
export function effectiveStatus(row: Pick<CardRow, 'status' | 'expires_at' | 'world_now'>): CardStatus {
  const expired = row.expires_at !== null && row.expires_at.getTime() <= row.world_now.getTime();
  return (row.status === 'active' || row.status === 'suspended') && expired ? 'expired' : row.status;
}

function toCard(row: CardRow, balances: { unit_code: string; value: StoredAmount }[]): Card {
  return {
    id: row.id,
    kind: row.kind,
    maskedNumber: row.masked_number,
    clientId: row.client_id,
    profileId: row.profile_id,
    servicePointId: row.service_point_id,
    holder: row.holder_name && row.holder_phone ? { name: row.holder_name, phone: row.holder_phone } : null,
    vehicleId: row.vehicle_id,
    driverId: row.driver_id,
    status: effectiveStatus(row),
    statusReason: row.status_reason,
    expiresAt: row.expires_at?.toISOString() ?? null,
    balances: balances.map((balance) => Money.fromStored(balance.value, balance.unit_code).toApi()),
    cancellation:
      row.status === 'cancelled' && row.cancelled_at
        ? { by: { id: row.cancelled_by_id, name: row.cancelled_by_name ?? '' }, reason: row.cancellation_reason ?? '', at: row.cancelled_at.toISOString() }
        : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Cards with their balances, in the order of `rows`, in two queries. */
async function withBalances(db: Queryable, rows: CardRow[]): Promise<Card[]> {
  if (rows.length === 0) return [];
  const balances = await cardBalances(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) =>
    toCard(
      row,
      balances.filter((balance) => balance.card_id === row.id),
    ),
  );
}

/** What an unknown card answers (and one outside an operator's scope of authority). */
export const cardNotFound = (id: string) => new AppError('CARD_NOT_FOUND', `No card ${id}`);

async function cardRow(db: Queryable, id: string, forUpdate = false): Promise<CardRow> {
  const [row] = await db.query<CardRow>(`SELECT c.*, ${WORLD_NOW('c')} FROM cards c WHERE c.id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) throw cardNotFound(id);
  return row;
}

/** A card's columns, named (a prepared statement must not change its result when a column is added). */
const CARD_COLUMNS = [
  'seq',
  'id',
  'kind',
  'masked_number',
  'client_id',
  'profile_id',
  'service_point_id',
  'holder_name',
  'holder_phone',
  'vehicle_id',
  'driver_id',
  'status',
  'status_reason',
  'expires_at',
  'cancelled_by_id',
  'cancelled_by_name',
  'cancellation_reason',
  'cancelled_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof CardRow)[];

/** A card once per account, by unit, with the account's available balance (posted minus held); once with null ones when it has none. */
type CardBalanceRow = CardRow & { ord: string; unit_code: string | null; value: StoredAmount | null };

/**
 * Cards by id with their balances (as `cardBalances` reads them: kept on the account's row, or
 * the sum of its entries, migration 013): the reads of a turn of the event loop as one
 * statement (src/db/batched.ts). GET /core/v1/cards/{cardId} is the Core's balance read.
 */
const cardsWithBalances = batchedStatement<[id: string], CardBalanceRow>(
  `SELECT batch.ord, ${CARD_COLUMNS.map((column) => `c.${column}`).join(', ')}, ${WORLD_NOW('c')}, a.unit_code,
          ((CASE WHEN a.stored_balance THEN a.posted ELSE (SELECT COALESCE(sum(e.amount), 0) FROM ledger_entries e WHERE e.account_id = a.id) END) - a.held)::bigint AS value
     FROM unnest($1::text[]) WITH ORDINALITY AS batch (id, ord)
     JOIN cards c ON c.id = batch.id
     LEFT JOIN ledger_accounts a ON a.card_id = c.id
    ORDER BY batch.ord, a.unit_code`,
);

export async function findCard(db: Queryable, actor: Actor, id: string): Promise<Card> {
  const rows = await cardsWithBalances(db, [id]);
  if (rows.length === 0) throw cardNotFound(id);
  return toCard(
    rows[0],
    rows.flatMap((row) => (row.unit_code === null || row.value === null ? [] : [{ unit_code: row.unit_code, value: row.value }])),
  );
}

/** Finds a card by its full number (checked first: a Luhn failure is CARD_NUMBER_INVALID). */
export async function lookupCard(db: Queryable, vault: CardVault, actor: Actor, number: string): Promise<Card> {
  if (!isValidCardNumber(number)) {
    throw new AppError('CARD_NUMBER_INVALID', 'The card number fails its check digit', {
      errors: [{ path: '/body/cardNumber', message: 'fails the Luhn check' }],
    });
  }
  const params: unknown[] = [vault.lookupHash(number)];
  const where = whereClause([['number_hash = $1', true], authorityFilter(actor, ['client_id', 'service_point_id'])], params);
  const [row] = await db.query<CardRow>(`SELECT c.*, ${WORLD_NOW('c')} FROM cards c ${where}`, params);
  if (!row) throw new AppError('CARD_NOT_FOUND', 'No card has this number');
  return (await withBalances(db, [row]))[0];
}

/**
 * A card's full number, recovered from its sealed copy, for a caller allowed to see it (the
 * contract's revealCardNumber: core:cards.reveal, and an operator's recent strong
 * authentication); each reveal is recorded in the audit trail, without the number.
 */
export async function revealCardNumber(db: Queryable, vault: CardVault, actor: Actor, cardId: string): Promise<CardNumberReveal> {
  return db.transaction(async (tx) => {
    const [row] = await tx.query<{ id: string; number_sealed: string; masked_number: string }>(
      'SELECT id, number_sealed, masked_number FROM cards WHERE id = $1',
      [cardId],
    );
    if (!row) throw cardNotFound(cardId);
    const revealed = { cardId: row.id, maskedNumber: row.masked_number };
    await recordAudit(tx, actor, { action: 'card.revealed', resourceType: 'card', resourceId: row.id, before: null, after: revealed });
    return { ...revealed, number: vault.decrypt(row.number_sealed) };
  });
}

export interface CardFilters {
  clientId?: string;
  kind?: Card['kind'];
  status?: CardStatus;
  profileId?: string;
  expiresAfter?: string;
  expiresBefore?: string;
  holderPhone?: string;
}

/** SQL for a status filter over CARDS_WITH_WORLD_NOW, matching effectiveStatus(). */
const STATUS_CONDITION: Record<CardStatus, string> = {
  active: "status = 'active' AND (expires_at IS NULL OR expires_at > world_now)",
  suspended: "status = 'suspended' AND (expires_at IS NULL OR expires_at > world_now)",
  expired: "status IN ('active', 'suspended') AND expires_at <= world_now",
  opposed: "status = 'opposed'",
  cancelled: "status = 'cancelled'",
};

export async function listCards(db: Queryable, actor: Actor, filters: CardFilters, page: PageInput): Promise<Page<Card>> {
  const result = await pageOfRows(
    db,
    CARDS_WITH_WORLD_NOW,
    [
      authorityFilter(actor, ['client_id', 'service_point_id']),
      ['client_id = ?', filters.clientId],
      ['kind = ?', filters.kind],
      [filters.status ? STATUS_CONDITION[filters.status] : '', filters.status],
      ['profile_id = ?', filters.profileId],
      ['expires_at >= ?', filters.expiresAfter],
      ['expires_at < ?', filters.expiresBefore],
      ['holder_phone = ?', filters.holderPhone],
    ],
    page,
    (row: CardRow) => row,
  );
  return { items: await withBalances(db, result.items), nextCursor: result.nextCursor };
}

async function recordTransition(
  tx: Queryable,
  actor: Actor,
  cardId: string,
  change: { from: StoredStatus | null; to: StoredStatus; reason: string; comment?: string | null },
): Promise<void> {
  await tx.query(
    `INSERT INTO card_transitions (card_id, from_status, to_status, reason, comment, actor_id, actor_name, channel, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [cardId, change.from, change.to, change.reason, change.comment ?? null, actor.id, actor.name, actor.channel, actor.requestId],
  );
}

export interface CardIssue {
  clientId: string;
  profileId: string;
  holder: { name: string; phone: string };
}

const NUMBER_ATTEMPTS = 5;

type NewCardFields =
  | { kind: 'member'; clientId: string; profileId: string; holder: { name: string; phone: string }; validityMonths: number }
  | { kind: 'eservice'; servicePointId: string };

/**
 * Inserts an active card under a new number, with a zero balance per unit and its first
 * transition; a member card is valid for its profile's months from now in its client's world. Returns the row and the full number (which the caller may show once).
 */
async function insertCard(tx: Queryable, vault: CardVault, actor: Actor, fields: NewCardFields, units: string[]): Promise<{ row: CardRow; number: string }> {
  const member = fields.kind === 'member' ? fields : undefined;
  for (let attempt = 1; attempt <= NUMBER_ATTEMPTS; attempt += 1) {
    const number = newCardNumber(vault.iin);
    // ON CONFLICT: a number already issued (about 1 in 10^9) is skipped without aborting the transaction.
    const [row] = await tx.query<CardRow>(
      `INSERT INTO cards (id, kind, number_hash, number_sealed, masked_number, client_id, profile_id, service_point_id, holder_name, holder_phone, status, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', CASE WHEN $11::int IS NULL THEN NULL ELSE ${worldNowOf('$6::text')} + make_interval(months => $11::int) END)
       ON CONFLICT (number_hash) DO NOTHING RETURNING *, ${WORLD_NOW('cards')}`,
      [
        newId('crd'),
        fields.kind,
        vault.lookupHash(number),
        vault.encrypt(number),
        maskCardNumber(number),
        member?.clientId ?? null,
        member?.profileId ?? null,
        fields.kind === 'eservice' ? fields.servicePointId : null,
        member?.holder.name.trim() ?? null,
        member?.holder.phone ?? null,
        member?.validityMonths ?? null,
      ],
    );
    if (!row) continue;
    await openCardAccounts(tx, row.id, fields.kind, units);
    await recordTransition(tx, actor, row.id, { from: null, to: 'active', reason: 'issued' });
    return { row, number };
  }
  throw new Error(`no free card number after ${NUMBER_ATTEMPTS} attempts`);
}

/**
 * Issues an active member card for an active client. The full number is returned only when
 * `reveal` is true (the caller holds core:cards.reveal), and never again.
 */
export async function issueCard(db: Queryable, vault: CardVault, actor: Actor, input: CardIssue, reveal: boolean): Promise<IssuedCard> {
  return db.transaction(async (tx) => {
    // Shared locks: a concurrent deactivation or profile deletion waits for this issue, or wins before it.
    await lockActiveClient(tx, input.clientId, 'issuing cards');
    await tx.query('SELECT 1 FROM card_profiles WHERE id = $1 FOR SHARE', [input.profileId]);
    const profile = await findCardProfile(tx, actor, input.profileId);
    const { row, number } = await insertCard(
      tx,
      vault,
      actor,
      { kind: 'member', clientId: input.clientId, profileId: profile.id, holder: input.holder, validityMonths: profile.validityMonths },
      profile.allowedUnits,
    );
    const [card] = await withBalances(tx, [row]);
    await recordAudit(tx, actor, { action: 'card.issued', resourceType: 'card', resourceId: card.id, before: null, after: card });
    return reveal ? { ...card, number } : card;
  });
}

/** Creates the E-service card of a service point (in the caller's transaction), holding XOF. */
export async function issueEServiceCard(tx: Queryable, vault: CardVault, actor: Actor, servicePointId: string): Promise<{ card: Card; number: string }> {
  const { row, number } = await insertCard(tx, vault, actor, { kind: 'eservice', servicePointId }, [MONEY_UNIT]);
  const [card] = await withBalances(tx, [row]);
  await recordAudit(tx, actor, { action: 'card.issued', resourceType: 'card', resourceId: card.id, before: null, after: card });
  return { card, number };
}

export type CardAction = 'suspend' | 'reactivate' | 'oppose' | 'cancel';

/** The statuses (as callers see them) each action starts from, and where it leads. */
const TRANSITIONS: Record<CardAction, { from: CardStatus[]; to: StoredStatus; verb: string }> = {
  suspend: { from: ['active'], to: 'suspended', verb: 'suspended' },
  reactivate: { from: ['suspended'], to: 'active', verb: 'reactivated' },
  oppose: { from: ['active', 'suspended', 'expired'], to: 'opposed', verb: 'opposed' },
  cancel: { from: ['active', 'suspended', 'opposed', 'expired'], to: 'cancelled', verb: 'cancelled' },
};

/** Applies a lifecycle action; a status that does not allow it is CARD_TRANSITION_FORBIDDEN. */
export async function transitionCard(
  db: Queryable,
  actor: Actor,
  cardId: string,
  action: Exclude<CardAction, 'cancel'>,
  reason: string,
  comment?: string,
): Promise<Card> {
  return db.transaction((tx) => changeCardStatus(tx, actor, cardId, action, reason, comment));
}

/**
 * Locks the card (CARD_NOT_FOUND) and checks that its status allows the action
 * (CARD_TRANSITION_FORBIDDEN); returns the locked row's client, kind and status.
 */
export async function lockCardFor(tx: Queryable, cardId: string, action: CardAction): Promise<Pick<CardRow, 'id' | 'kind' | 'client_id' | 'status'>> {
  return lockedForAction(tx, cardId, action);
}

async function lockedForAction(tx: Queryable, cardId: string, action: CardAction): Promise<CardRow> {
  const rule = TRANSITIONS[action];
  const row = await cardRow(tx, cardId, true);
  const current = effectiveStatus(row);
  if (!rule.from.includes(current)) {
    throw new AppError('CARD_TRANSITION_FORBIDDEN', `A card that is ${current} cannot be ${rule.verb} (allowed from: ${rule.from.join(', ')})`);
  }
  return row;
}

/**
 * Applies a lifecycle action in the caller's transaction (the card locked and checked by
 * lockCardFor): the new status, its transition, audit record and event. A cancellation's
 * caller has emptied the card first (payments/card-closure.ts).
 */
export async function changeCardStatus(tx: Queryable, actor: Actor, cardId: string, action: CardAction, reason: string, comment?: string): Promise<Card> {
  const rule = TRANSITIONS[action];
  const row = await lockedForAction(tx, cardId, action);
  const [before] = await withBalances(tx, [row]);
  const cancelling = rule.to === 'cancelled';
  const [updated] = await tx.query<CardRow>(
    `UPDATE cards SET status = $2, status_reason = $3, updated_at = now(),
       cancelled_by_id = CASE WHEN $4 THEN $5 ELSE cancelled_by_id END,
       cancelled_by_name = CASE WHEN $4 THEN $6 ELSE cancelled_by_name END,
       cancellation_reason = CASE WHEN $4 THEN $3 ELSE cancellation_reason END,
       cancelled_at = CASE WHEN $4 THEN now() ELSE cancelled_at END
     WHERE id = $1 RETURNING *, ${WORLD_NOW('cards')}`,
    [cardId, rule.to, reason.trim(), cancelling, actor.id, actor.name],
  );
  await recordTransition(tx, actor, cardId, { from: row.status, to: rule.to, reason: reason.trim(), comment });
  const [after] = await withBalances(tx, [updated]);
  await recordAudit(tx, actor, { action: `card.${rule.verb}`, resourceType: 'card', resourceId: cardId, before, after });
  await recordCardEvents(tx, [
    {
      type: 'card.status-changed',
      resourceType: 'card',
      resourceId: cardId,
      data: { from: before.status, to: after.status, reason: reason.trim(), card: after },
      cardIds: [cardId],
    },
  ]);
  return after;
}

/** The longest validity a card profile gives (CardProfile.validityMonths), the furthest a card's expiry is set. */
const LONGEST_VALIDITY_MONTHS = 120;

/**
 * The issuer sets a member card's expiry (the contract's setCardExpiry): `expiresAt` renews it
 * (later than now in the card's world, at most LONGEST_VALIDITY_MONTHS ahead, else
 * CARD_EXPIRY_OUT_OF_RANGE), from active, suspended or expired; without it the card expires at
 * the time now in its world, from active or suspended (CARD_TRANSITION_FORBIDDEN otherwise, as
 * for an expired card expired again). The stored status is untouched (expiry is read against
 * the card's clock, effectiveStatus); when the status callers see changes, the card's partners
 * get `card.status-changed` as for a suspension. Audited as `card.expiry-changed`.
 */
export async function setCardExpiry(db: Queryable, actor: Actor, cardId: string, change: { expiresAt?: string; reason: string }): Promise<Card> {
  return db.transaction(async (tx) => {
    const row = await cardRow(tx, cardId, true);
    if (row.kind !== 'member') throw new AppError('CARD_KIND_NOT_ALLOWED', `Card ${cardId} is an E-service card: it has no expiry`);
    const current = effectiveStatus(row);
    const renewing = change.expiresAt !== undefined;
    const allowed: CardStatus[] = renewing ? ['active', 'suspended', 'expired'] : ['active', 'suspended'];
    if (!allowed.includes(current)) {
      throw new AppError(
        'CARD_TRANSITION_FORBIDDEN',
        `A card that is ${current} cannot be ${renewing ? 'renewed' : 'expired'} (allowed from: ${allowed.join(', ')})`,
      );
    }
    if (change.expiresAt !== undefined) {
      const expiresAt = new Date(change.expiresAt);
      const latest = new Date(row.world_now);
      latest.setUTCMonth(latest.getUTCMonth() + LONGEST_VALIDITY_MONTHS);
      if (expiresAt.getTime() <= row.world_now.getTime() || expiresAt.getTime() > latest.getTime()) {
        throw new AppError(
          'CARD_EXPIRY_OUT_OF_RANGE',
          `A card's expiry must be after ${row.world_now.toISOString()} (now, in the card's world) and at most ${LONGEST_VALIDITY_MONTHS} months ahead (${latest.toISOString()}); ${change.expiresAt} given`,
          { errors: [{ path: '/body/expiresAt', message: 'out of range' }] },
        );
      }
    }
    const [before] = await withBalances(tx, [row]);
    const reason = change.reason.trim();
    const [updated] = await tx.query<CardRow>(
      `UPDATE cards SET expires_at = coalesce($2::timestamptz, $3::timestamptz), updated_at = now() WHERE id = $1 RETURNING *, ${WORLD_NOW('cards')}`,
      [cardId, change.expiresAt ?? null, row.world_now],
    );
    const [after] = await withBalances(tx, [updated]);
    await recordAudit(tx, actor, { action: 'card.expiry-changed', resourceType: 'card', resourceId: cardId, before, after });
    if (before.status !== after.status) {
      await recordCardEvents(tx, [
        {
          type: 'card.status-changed',
          resourceType: 'card',
          resourceId: cardId,
          data: { from: before.status, to: after.status, reason, card: after },
          cardIds: [cardId],
        },
      ]);
    }
    return after;
  });
}

interface TransitionRow {
  seq: string;
  xact: string;
  from_status: StoredStatus | null;
  to_status: StoredStatus;
  reason: string;
  comment: string | null;
  actor_id: string | null;
  actor_name: string;
  channel: CardTransition['channel'];
  request_id: string | null;
  at: Date;
}

export async function listCardTransitions(db: Queryable, actor: Actor, cardId: string, page: PageInput): Promise<SettledPage<CardTransition>> {
  await cardRow(db, cardId);
  return pageOfSettledRows(db, 'card_transitions', [['card_id = ?', cardId]], page, (row: TransitionRow) => ({
    from: row.from_status,
    to: row.to_status,
    reason: row.reason,
    comment: row.comment,
    actor: { id: row.actor_id, name: row.actor_name },
    channel: row.channel,
    requestId: row.request_id,
    at: row.at.toISOString(),
  }));
}
