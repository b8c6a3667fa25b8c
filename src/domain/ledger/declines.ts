/**
 * Declined attempts (issue 14 item 6): a member card's payment or pump authorisation refused
 * by a business rule of the card (its state, its client, its funds, its spending controls) is
 * kept with the rule and its figures, in the transaction that stores the refusal under its
 * idempotency key (idempotency.ts `onRefusal`): once per attempt, never on a replay.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import type { AppError, ErrorCodeName } from '../app-error';
import { newId } from '../ids';
import { Money, type StoredAmount } from '../money';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import type { Actor } from '../actor';

type CardDecline = components['schemas']['CardDecline'];

/** The refusals that are a card's decline; a malformed or inconsistent request (400) is not. */
const DECLINES: ReadonlySet<ErrorCodeName> = new Set<ErrorCodeName>([
  'CLIENT_INACTIVE', 'INSUFFICIENT_FUNDS', 'CARD_SUSPENDED', 'CARD_OPPOSED', 'CARD_CANCELLED', 'CARD_EXPIRED', 'SERVICE_NOT_ALLOWED',
  'DRIVER_CODE_INVALID', 'AMOUNT_LIMIT_EXCEEDED', 'VOLUME_LIMIT_EXCEEDED', 'TRANSACTION_LIMIT_EXCEEDED', 'PRODUCT_NOT_ALLOWED', 'LOCATION_NOT_ALLOWED', 'OUTSIDE_ALLOWED_HOURS', 'FILL_TOO_SOON',
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

/** Keeps the refusal of the attempt if it is a decline of an existing member card. */
export async function recordDecline(tx: Queryable, actor: Actor, refusal: AppError, attempt: DeclinedAttempt): Promise<void> {
  if (!DECLINES.has(refusal.codeName)) return;
  const details = refusal.details ?? null;
  await tx.query(
    `INSERT INTO card_declines (id, card_id, client_id, service_point_id, attempt, code, rule, message, unit_code, amount, service, energy_type_code, quantity_ml, details,
       actor_kind, actor_id, actor_name, channel, request_id)
     SELECT $1, c.id, c.client_id, (SELECT id FROM service_points WHERE id = $3), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16, $17, $18
       FROM cards c WHERE c.id = $2 AND c.kind = 'member'`,
    [
      newId('dcl'), attempt.cardId, attempt.servicePointId, attempt.attempt, refusal.code, details && 'rule' in details ? details.rule : null, refusal.debugMessage,
      attempt.amount.unit, attempt.amount.toStored(), attempt.service, attempt.energyTypeCode ?? null, attempt.quantityMl?.toString() ?? null,
      details ? JSON.stringify(details) : null, actor.kind, actor.id, actor.name, actor.channel, actor.requestId,
    ],
  );
}

export interface DeclineRow {
  seq: string;
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

export const toDecline = (row: DeclineRow): CardDecline => ({
  id: row.id,
  cardId: row.card_id,
  clientId: row.client_id,
  servicePointId: row.service_point_id,
  attempt: row.attempt,
  code: row.code,
  rule: row.rule,
  message: row.message,
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
export function listCardDeclines(db: Queryable, actor: Actor, filters: CardActivityFilters, page: PageInput): Promise<Page<CardDecline>> {
  return pageOfRows(db, 'card_declines', activityFilters(filters), page, toDecline);
}
