/**
 * The 3rd Party API's events feed (issue 15 item 8): the events table (events.ts) as a
 * partner may read it. A partner sees the events of the member cards of the clients it is
 * contracted for and those of its own operations, in its own shape: operations through
 * toPartnerOperation, authorisations without who placed them (only whether it was itself),
 * card status changes without who made them or why. Order voucher steps and exceptions are
 * the back office's own work and never in the feed; nor are an E-service card's events (the
 * station's side of a payment: the member card's event says it).
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { partnerIdOf, type Actor } from '../actor';
import type { Operation } from '../ledger/operations-read';
import { cursorPosition, pageSize, type PageInput } from '../pagination';
import { toPartnerOperation } from './partner-operations';

type PartnerEvent = components['schemas']['PartnerEvent'];
type PartnerEventType = components['schemas']['PartnerEventType'];
type PartnerEventPage = components['schemas']['PartnerEventPage'];
type Authorization = components['schemas']['Authorization'];
type CardStatus = components['schemas']['CardStatus'];

/** The event types a partner sees (the contract's PartnerEventType). */
const PARTNER_EVENT_TYPES: readonly PartnerEventType[] = [
  'operation.completed', 'operation.cancelled', 'hold.created', 'hold.captured', 'hold.voided', 'hold.expired', 'card.status-changed',
];

interface EventRow {
  seq: string;
  id: string;
  type: PartnerEventType;
  resource_type: PartnerEvent['resourceType'];
  resource_id: string;
  card_id: string;
  card_sequence: string;
  data: Record<string, unknown>;
  occurred_at: Date;
  own_hold: boolean | null;
}

const encodeCursor = (seq: string | number) => Buffer.from(String(seq)).toString('base64url');

/** The event's data in the partner's shape. */
function partnerData(row: EventRow, partnerId: string): PartnerEvent['data'] {
  if (row.resource_type === 'operation') return toPartnerOperation(row.data as unknown as Operation, partnerId);
  if (row.resource_type === 'authorization') {
    const { vehicleId: _vehicle, ...authorization } = row.data as unknown as Authorization;
    return { ...authorization, own: row.own_hold === true };
  }
  return { cardId: row.card_id, from: row.data.from as CardStatus, to: row.data.to as CardStatus };
}

const toPartnerEvent = (row: EventRow, partnerId: string): PartnerEvent => ({
  id: row.id,
  cursor: encodeCursor(row.seq),
  type: row.type,
  resourceType: row.resource_type,
  resourceId: row.resource_id,
  cardId: row.card_id,
  cardSequence: Number(row.card_sequence),
  occurredAt: row.occurred_at.toISOString(),
  data: partnerData(row, partnerId),
});

type EventFilters = { cardId?: string; type?: PartnerEventType };

/**
 * The feed's statement: the `limit` events of the partner after seq `after`, from two
 * index-driven branches, each cut at the limit, then merged: each contracted card's events
 * (events_card_idx, read card by card, so never the other cards' events) and the events that
 * name the partner on member cards (events_partner_idx: its own operations, also on cards
 * whose contract has ended). Exported for the test that reads its plan.
 */
export function partnerEventsQuery(partnerId: string, filters: EventFilters, after: number, limit: number): { text: string; values: unknown[] } {
  const types = filters.type === undefined ? PARTNER_EVENT_TYPES : [filters.type];
  const values: unknown[] = [partnerId, after, types, limit];
  const card = filters.cardId === undefined ? '' : `AND e.card_id = $${values.push(filters.cardId)}`;
  const text = `WITH page AS (
       (SELECT x.seq FROM partner_contracts pc
          JOIN cards k ON k.client_id = pc.client_id AND k.kind = 'member'
          CROSS JOIN LATERAL (SELECT e.seq FROM events e WHERE e.card_id = k.id AND e.seq > $2 AND e.type = ANY($3::text[]) ${card} ORDER BY e.seq LIMIT $4) x
         WHERE pc.partner_id = $1 AND pc.ended_at IS NULL AND pc.client_id IS NOT NULL
         ORDER BY x.seq LIMIT $4)
       UNION
       (SELECT e.seq FROM events e JOIN cards k ON k.id = e.card_id AND k.kind = 'member'
         WHERE e.partner_id = $1 AND e.seq > $2 AND e.type = ANY($3::text[]) ${card}
         ORDER BY e.seq LIMIT $4)
     )
     SELECT e.seq, e.id, e.type, e.resource_type, e.resource_id, e.card_id, e.card_sequence, e.data, e.occurred_at,
            h.actor_kind = 'partner' AND h.actor_id = $1 AS own_hold
       FROM page JOIN events e ON e.seq = page.seq
       LEFT JOIN ledger_holds h ON e.resource_type = 'authorization' AND h.id = e.resource_id
      ORDER BY e.seq LIMIT $4`;
  return { text, values };
}

/** The partner's events after the cursor, oldest first; `nextCursor` is the last event's, or the cursor given on an empty page. */
export async function listPartnerEvents(db: Queryable, actor: Actor, filters: EventFilters, page: PageInput): Promise<PartnerEventPage> {
  const partnerId = partnerIdOf(actor);
  const limit = pageSize(page.limit);
  const query = partnerEventsQuery(partnerId, filters, cursorPosition(page.cursor), limit + 1);
  const rows = await db.query<EventRow>(query.text, query.values);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map((row) => toPartnerEvent(row, partnerId)),
    nextCursor: last ? encodeCursor(last.seq) : (page.cursor ?? null),
    hasMore: rows.length > limit,
  };
}
