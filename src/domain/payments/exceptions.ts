/**
 * Exceptions: what a fleet manager should look at on an approved payment, pump authorisation
 * or offline fill, written in its transaction with an event per exception.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { newId } from '../ids';
import { pageOfSettledRows, type PageInput, type SettledPage } from '../pagination';
import { authorityFilter } from '../scope-of-authority';
import type { Actor } from '../actor';
import { recordCardEvents } from '../events/events';
import type { Breach } from '../cards/spending-rules';
import { activityFilters, type CardActivityFilters } from './declines';
import { DEFAULT_LANGUAGE, exceptionMessage, type Language } from '../messages';

type CardException = components['schemas']['CardException'];

interface ExceptionRow {
  seq: string;
  xact: string;
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

/** An exception as read in `language`: its kind's message, and the figures in English as its debug message. */
const toException = (row: ExceptionRow, language: Language): CardException => ({
  id: row.id,
  cardId: row.card_id,
  clientId: row.client_id,
  kind: row.kind,
  rule: row.rule,
  operationId: row.operation_id,
  authorizationId: row.authorization_id,
  message: exceptionMessage(row.kind, language),
  debugMessage: row.message,
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

/** An exception to raise: its kind, the rule concerned (if any), what happened with the figures (English, its debug message) and the figures. */
export interface NewException {
  kind: CardException['kind'];
  rule: CardException['rule'];
  message: string;
  details: object;
}

/** A `soft-rule` exception per soft breach. */
export const softRuleExceptions = (soft: readonly Breach[]): NewException[] =>
  soft.map((breach) => ({ kind: 'soft-rule', rule: breach.details.rule, message: breach.message, details: breach.details }));

/** Raises the exceptions, each with its event (the caller holds the card's lock). */
export async function raiseExceptions(tx: Queryable, target: ExceptionTarget, exceptions: readonly NewException[]): Promise<void> {
  if (exceptions.length === 0) return;
  const rows = await tx.query<ExceptionRow>(
    `INSERT INTO card_exceptions (id, card_id, client_id, kind, rule, operation_id, authorization_id, message, details)
     SELECT e.id, $1, $2, e.kind, e.rule, $3, $4, e.message, e.details::jsonb
       FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS e (id, kind, rule, message, details, ord)
      ORDER BY e.ord
     RETURNING *`,
    [
      target.cardId,
      target.clientId,
      target.operationId ?? null,
      target.authorizationId ?? null,
      exceptions.map(() => newId('exc')),
      exceptions.map((item) => item.kind),
      exceptions.map((item) => item.rule),
      exceptions.map((item) => item.message),
      exceptions.map((item) => JSON.stringify(item.details)),
    ],
  );
  await recordCardEvents(
    tx,
    rows.map((row) => ({
      type: 'exception.raised' as const,
      resourceType: 'exception' as const,
      resourceId: row.id,
      data: toException(row, DEFAULT_LANGUAGE),
      cardIds: [row.card_id],
    })),
  );
}

/** Exceptions, oldest first, by cursor pages. */
export function listCardExceptions(db: Queryable, actor: Actor, filters: CardActivityFilters, page: PageInput): Promise<SettledPage<CardException>> {
  return pageOfSettledRows(db, 'card_exceptions', [authorityFilter(actor, ['client_id']), ...activityFilters(filters)], page, (row: ExceptionRow) =>
    toException(row, actor.language),
  );
}
