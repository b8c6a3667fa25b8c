/**
 * Events: what happened, written in the transaction of the change so that none is missing.
 * Partners will pull them and receive them as webhooks; nothing is delivered yet. An event
 * about a card carries that card's sequence number, which only grows (taken under the card's
 * row lock), so a receiver can drop an event older than one it has already applied.
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
  | 'hold.expired';

export interface NewEvent {
  type: EventType;
  resourceType: 'operation' | 'card' | 'order' | 'authorization';
  resourceId: string;
  data: object;
}

/**
 * Records the event once per card it concerns, each with the card's next sequence number.
 * The caller holds the cards' row locks (or takes them here, in id order, which is the
 * ledger's lock order).
 */
export async function recordCardEvents(tx: Queryable, event: NewEvent, cardIds: readonly string[]): Promise<void> {
  const ids = [...new Set(cardIds)].sort();
  if (ids.length === 0) return;
  const sequences = await tx.query<{ id: string; event_sequence: string }>(
    'UPDATE cards SET event_sequence = event_sequence + 1 WHERE id = ANY($1) RETURNING id, event_sequence',
    [ids],
  );
  await tx.query(
    `INSERT INTO events (id, type, resource_type, resource_id, card_id, card_sequence, data)
     SELECT e.id, $1, $2, $3, e.card_id, e.card_sequence, $4::jsonb
       FROM unnest($5::text[], $6::text[], $7::bigint[]) AS e (id, card_id, card_sequence)`,
    [
      event.type, event.resourceType, event.resourceId, JSON.stringify(event.data),
      sequences.map(() => newId('evt')), sequences.map((row) => row.id), sequences.map((row) => row.event_sequence),
    ],
  );
}

/** Records an event that concerns no card (an order voucher's step). */
export async function recordEvent(tx: Queryable, event: NewEvent): Promise<void> {
  await tx.query('INSERT INTO events (id, type, resource_type, resource_id, data) VALUES ($1, $2, $3, $4, $5::jsonb)', [
    newId('evt'), event.type, event.resourceType, event.resourceId, JSON.stringify(event.data),
  ]);
}
