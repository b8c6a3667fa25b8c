/**
 * Events: what happened, written in the transaction of the change so that none is missing.
 * Partners pull them (the feed) and receive them as webhooks. An event
 * about a member card carries that card's sequence number, which only grows (taken under the
 * card's row lock), so a receiver can drop an event older than one it has already applied.
 * An E-service card's events are ordered by the table's `seq` instead.
 */
import type { Queryable } from '../../db/database';
import { newId } from '../ids';

type EventType =
  | 'operation.completed'
  | 'operation.cancelled'
  | 'card.status-changed'
  | 'order.status-changed'
  | 'hold.created'
  | 'hold.captured'
  | 'hold.voided'
  | 'hold.expired'
  | 'exception.raised'
  | 'webhook-endpoint.disabled';

export interface NewEvent {
  type: EventType;
  resourceType: 'operation' | 'card' | 'order' | 'authorization' | 'exception' | 'webhook-endpoint';
  resourceId: string;
  data: object;
  /** The partner whose own resource it is (an operation that names it), whose feed it joins wherever the card's contract is. */
  partnerId?: string | null;
}

/** An event and the cards it concerns (it is recorded once per card). */
export interface CardEvent extends NewEvent {
  cardIds: readonly string[];
}

/**
 * Records events, each once per card it concerns, in one statement. A member card's are
 * numbered with its next sequence numbers, in the order given (the caller holds its row lock:
 * posting and the card use-cases take it first, in the ledger's order). An E-service card's
 * carry no number (migration 013): its station's payments are not queued on its row.
 */
export async function recordCardEvents(tx: Queryable, events: readonly CardEvent[]): Promise<void> {
  const rows = events.flatMap((event) => [...new Set(event.cardIds)].map((cardId) => ({ event, cardId, data: JSON.stringify(event.data) })));
  if (rows.length === 0) return;
  await tx.query(
    `WITH e AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY
         AS e (id, type, resource_type, resource_id, card_id, data, partner_id, ord)
     ), counts AS (
       SELECT card_id, count(*) AS n FROM e GROUP BY card_id
     ), numbered AS (
       UPDATE cards c SET event_sequence = c.event_sequence + counts.n FROM counts WHERE c.id = counts.card_id AND c.kind = 'member'
       RETURNING c.id, c.event_sequence - counts.n AS before
     )
     INSERT INTO events (id, type, resource_type, resource_id, card_id, card_sequence, data, partner_id)
     SELECT e.id, e.type, e.resource_type, e.resource_id, e.card_id, numbered.before + row_number() OVER (PARTITION BY e.card_id ORDER BY e.ord), e.data::jsonb, e.partner_id
       FROM e LEFT JOIN numbered ON numbered.id = e.card_id
      ORDER BY e.ord`,
    [
      rows.map(() => newId('evt')),
      rows.map((row) => row.event.type),
      rows.map((row) => row.event.resourceType),
      rows.map((row) => row.event.resourceId),
      rows.map((row) => row.cardId),
      rows.map((row) => row.data),
      rows.map((row) => row.event.partnerId ?? null),
    ],
    { prepare: true },
  );
}

/** Records an event that concerns no card (an order voucher's step; with `partnerId`, a partner's own set-up, in its feed). */
export async function recordEvent(tx: Queryable, event: NewEvent): Promise<void> {
  await tx.query('INSERT INTO events (id, type, resource_type, resource_id, data, partner_id) VALUES ($1, $2, $3, $4, $5::jsonb, $6)', [
    newId('evt'),
    event.type,
    event.resourceType,
    event.resourceId,
    JSON.stringify(event.data),
    event.partnerId ?? null,
  ]);
}
