/**
 * Exceptions (issue 14 item 8): what a fleet manager should look at on an approved payment or
 * pump authorisation, written in its transaction with an event per exception.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { newId } from '../ids';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import type { Actor } from '../actor';
import { recordCardEvents } from '../events/events';
import type { Breach } from '../cards/spending-rules';
import { activityFilters, type CardActivityFilters } from './declines';

type CardException = components['schemas']['CardException'];

interface ExceptionRow {
  seq: string;
  id: string;
  card_id: string;
  client_id: string;
  kind: CardException['kind'];
  rule: CardException['rule'];
  operation_id: string | null;
  authorization_id: string | null;
  message: string;
  details: CardException['details'];
  created_at: Date;
}

const toException = (row: ExceptionRow): CardException => ({
  id: row.id,
  cardId: row.card_id,
  clientId: row.client_id,
  kind: row.kind,
  rule: row.rule,
  operationId: row.operation_id,
  authorizationId: row.authorization_id,
  message: row.message,
  details: row.details,
  createdAt: row.created_at.toISOString(),
});

/** Where the exceptions were raised: a card of a client, on an operation or an authorisation. */
export interface ExceptionTarget {
  cardId: string;
  clientId: string;
  operationId?: string;
  authorizationId?: string;
}

/** Raises a `soft-rule` exception per soft breach, and its event (the caller holds the card's lock). */
export async function raiseExceptions(tx: Queryable, target: ExceptionTarget, soft: readonly Breach[]): Promise<void> {
  if (soft.length === 0) return;
  const rows = await tx.query<ExceptionRow>(
    `INSERT INTO card_exceptions (id, card_id, client_id, kind, rule, operation_id, authorization_id, message, details)
     SELECT e.id, $1, $2, 'soft-rule', e.rule, $3, $4, e.message, e.details::jsonb
       FROM unnest($5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS e (id, rule, message, details, ord)
      ORDER BY e.ord
     RETURNING *`,
    [
      target.cardId, target.clientId, target.operationId ?? null, target.authorizationId ?? null,
      soft.map(() => newId('exc')), soft.map((breach) => breach.details.rule), soft.map((breach) => breach.message), soft.map((breach) => JSON.stringify(breach.details)),
    ],
  );
  await recordCardEvents(
    tx,
    rows.map((row) => ({ type: 'exception.raised' as const, resourceType: 'exception' as const, resourceId: row.id, data: toException(row), cardIds: [row.card_id] })),
  );
}

/** Exceptions, oldest first, by cursor pages. */
export function listCardExceptions(db: Queryable, actor: Actor, filters: CardActivityFilters, page: PageInput): Promise<Page<CardException>> {
  return pageOfRows(db, 'card_exceptions', activityFilters(filters), page, toException);
}
