/**
 * Declined attempts: a member card's payment or pump authorisation refused by a business rule
 * of the card (its state, its client, its funds, its spending controls) is kept with the rule
 * and its figures, in the transaction that stores the refusal under its idempotency key
 * (idempotency.ts `onRefusal`): once per attempt, never on a replay.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError, type ErrorCodeName } from '../app-error';
import { newId } from '../ids';
import { Money, type StoredAmount } from '../money';
import { pageOfSettledRows, type PageInput, type SettledPage } from '../pagination';
import { authorityFilter } from '../scope-of-authority';
import type { Actor } from '../actor';
import { driverCodeFailed } from '../fleet/drivers';
import { messageOfCode, type Language } from '../messages';

type CardDecline = components['schemas']['CardDecline'];

/** The refusals that are a card's decline; a malformed or inconsistent request (400) is not. */
const DECLINES: ReadonlySet<ErrorCodeName> = new Set<ErrorCodeName>([
  'CLIENT_INACTIVE',
  'INSUFFICIENT_FUNDS',
  'CARD_SUSPENDED',
  'CARD_OPPOSED',
  'CARD_CANCELLED',
  'CARD_EXPIRED',
  'SERVICE_NOT_ALLOWED',
  'DRIVER_CODE_INVALID',
  'DRIVER_CODE_LOCKED',
  'DRIVER_CODE_REQUIRED',
  'AMOUNT_LIMIT_EXCEEDED',
  'VOLUME_LIMIT_EXCEEDED',
  'TRANSACTION_LIMIT_EXCEEDED',
  'PRODUCT_NOT_ALLOWED',
  'LOCATION_NOT_ALLOWED',
  'OUTSIDE_ALLOWED_HOURS',
  'FILL_TOO_SOON',
]);

/** What was attempted, as the request said it. */
export interface DeclinedAttempt {
  attempt: CardDecline['attempt'];
  cardId: string;
  servicePointId: string;
  amount: Money;
  service: string;
  energyTypeCode?: string | null;
  quantityMl?: bigint | null;
}

/**
 * Keeps the refusal of the attempt if it is a decline of an existing member card. It is
 * written under the card's lock, at the clock's time, as the card's ledger entries are: a
 * card's history (gateway/card-history.ts) orders its lines by that time, and a line written
 * under the lock commits before any later one, so a reader never sees a line appear behind
 * one it has already read.
 */
export async function recordDecline(tx: Queryable, actor: Actor, refusal: AppError, attempt: DeclinedAttempt): Promise<void> {
  if (!DECLINES.has(refusal.codeName)) return;
  const details = refusal.details ?? null;
  await tx.query(
    `WITH c AS (SELECT id, client_id FROM cards WHERE id = $2 AND kind = 'member' FOR NO KEY UPDATE)
     INSERT INTO card_declines (id, card_id, client_id, service_point_id, attempt, code, rule, message, unit_code, amount, service, energy_type_code, quantity_ml, details,
       actor_kind, actor_id, actor_name, channel, request_id, created_at)
     SELECT $1, c.id, c.client_id, (SELECT id FROM service_points WHERE id = $3), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16, $17, $18, clock_timestamp()
       FROM c`,
    [
      newId('dcl'),
      attempt.cardId,
      attempt.servicePointId,
      attempt.attempt,
      refusal.code,
      details && 'rule' in details ? details.rule : null,
      refusal.debugMessage,
      attempt.amount.unit,
      attempt.amount.toStored(),
      attempt.service,
      attempt.energyTypeCode ?? null,
      attempt.quantityMl?.toString() ?? null,
      details ? JSON.stringify(details) : null,
      actor.kind,
      actor.id,
      actor.name,
      actor.channel,
      actor.requestId,
    ],
  );
  if (refusal.codeName === 'DRIVER_CODE_INVALID') await driverCodeFailed(tx, actor, attempt.cardId);
}

export interface DeclineRow {
  seq: string;
  xact: string;
  id: string;
  card_id: string;
  client_id: string;
  service_point_id: string | null;
  attempt: CardDecline['attempt'];
  code: string;
  rule: CardDecline['rule'];
  message: string;
  unit_code: string;
  amount: StoredAmount;
  service: CardDecline['service'];
  energy_type_code: string | null;
  quantity_ml: string | null;
  details: CardDecline['details'];
  actor_id: string | null;
  actor_name: string;
  channel: CardDecline['channel'];
  request_id: string | null;
  created_at: Date;
}

/** A decline as read in `language`: the catalog's message of its code, and the refusal's English figures as its debug message. */
export const toDecline = (row: DeclineRow, language: Language): CardDecline => ({
  id: row.id,
  cardId: row.card_id,
  clientId: row.client_id,
  servicePointId: row.service_point_id,
  attempt: row.attempt,
  code: row.code,
  rule: row.rule,
  message: messageOfCode(row.code, language),
  debugMessage: row.message,
  amount: Money.fromStored(row.amount, row.unit_code).toApi(),
  service: row.service,
  energyTypeCode: row.energy_type_code,
  quantityMl: row.quantity_ml === null ? null : Number(row.quantity_ml),
  details: row.details,
  actor: { id: row.actor_id, name: row.actor_name },
  channel: row.channel,
  requestId: row.request_id,
  createdAt: row.created_at.toISOString(),
});

export interface CardActivityFilters {
  clientId?: string;
  cardId?: string;
  from?: string;
  to?: string;
}

/** The filters of a declines or exceptions list, as pageOfRows takes them. */
export const activityFilters = (filters: CardActivityFilters): [string, unknown][] => [
  ['client_id = ?', filters.clientId],
  ['card_id = ?', filters.cardId],
  ['created_at >= ?', filters.from],
  ['created_at < ?', filters.to],
];

/** Declined attempts, oldest first, by cursor pages. */
export function listCardDeclines(db: Queryable, actor: Actor, filters: CardActivityFilters, page: PageInput): Promise<SettledPage<CardDecline>> {
  const scope = authorityFilter(actor, ['client_id', 'service_point_id']);
  return pageOfSettledRows(db, 'card_declines', [scope, ...activityFilters(filters)], page, (row: DeclineRow) => toDecline(row, actor.language));
}

/**
 * A refusal as the caller is answered, when the caller may not read all of it (a station
 * system: `view` rewrites it), remembering the refusal it stands for: the card's decline
 * records that one, with its rule and figures, for the issuer and its client's partners.
 */
export class RefusalView {
  private readonly originals = new WeakMap<AppError, AppError>();

  constructor(private readonly view?: (refusal: AppError) => AppError) {}

  /** The error as answered: a business refusal rewritten by the view, anything else as it is. */
  shown(error: unknown): unknown {
    if (!this.view || !isRefusal(error)) return error;
    const shown = this.view(error);
    if (shown !== error) this.originals.set(shown, error);
    return shown;
  }

  /** The refusal an answered one stands for. */
  original(refusal: AppError): AppError {
    return this.originals.get(refusal) ?? refusal;
  }
}

const isRefusal = (error: unknown): error is AppError => error instanceof AppError && error.status < 500;
