/**
 * The 3rd Party API's events feed: the events table (events.ts) as a
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
import { SETTLED_HORIZON, pageSize, settledCursor, settledPosition, type PageInput, type Position } from '../pagination';
import { withUnitScales } from '../referential/unit-scales';
import { toPartnerOperation } from './operations';
import { cardsInReach } from './reach';

type PartnerEvent = components['schemas']['PartnerEvent'];
type PartnerEventType = components['schemas']['PartnerEventType'];
type PartnerEventPage = components['schemas']['PartnerEventPage'];
type Authorization = components['schemas']['Authorization'];
type CardStatus = components['schemas']['CardStatus'];
type PartnerWebhookEndpointDisabled = components['schemas']['PartnerWebhookEndpointDisabled'];

/** The event types a partner sees (the contract's PartnerEventType). */
const PARTNER_EVENT_TYPES: readonly PartnerEventType[] = [
  'operation.completed',
  'operation.cancelled',
  'hold.created',
  'hold.captured',
  'hold.voided',
  'hold.expired',
  'card.status-changed',
  'webhook-endpoint.disabled',
];

interface EventRow {
  seq: string;
  xact: string;
  id: string;
  type: PartnerEventType;
  resource_type: PartnerEvent['resourceType'];
  resource_id: string;
  card_id: string | null;
  card_sequence: string | null;
  data: Record<string, unknown>;
  occurred_at: Date;
  own_hold: boolean | null;
}

/** The event's data in the partner's shape. */
function partnerData(row: EventRow, partnerId: string): PartnerEvent['data'] {
  if (row.resource_type === 'operation') return toPartnerOperation(row.data as unknown as Operation, partnerId);
  if (row.resource_type === 'authorization') {
    const { vehicleId: _vehicle, ...authorization } = row.data as unknown as Authorization;
    const shaped = { ...authorization, stationReference: authorization.stationReference ?? null }; // events before migration 030 have none
    // A partner's own holds are a station's: in the shape its answers give them, without the card's id.
    return row.own_hold === true ? { ...shaped, own: true, cardId: null } : { ...shaped, own: false };
  }
  if (row.resource_type === 'webhook-endpoint') return row.data as unknown as PartnerWebhookEndpointDisabled;
  return { cardId: row.card_id as string, from: row.data.from as CardStatus, to: row.data.to as CardStatus };
}

const toPartnerEvent = (row: EventRow, partnerId: string): PartnerEvent => ({
  id: row.id,
  cursor: settledCursor(row),
  type: row.type,
  resourceType: row.resource_type,
  resourceId: row.resource_id,
  cardId: row.card_id,
  cardSequence: row.card_sequence === null ? null : Number(row.card_sequence),
  occurredAt: row.occurred_at.toISOString(),
  data: partnerData(row, partnerId),
});

type EventFilters = { cardId?: string; type?: PartnerEventType };

/**
 * The feed's statement: the `limit` settled events of the partner after position `after`
 * (pagination.ts: in (xact, seq) order, below the settled horizon, so that an event committed
 * late never lands behind a cursor already given), from index-driven branches, each cut at the limit, then merged: the events of each card within its reach
 * (reach.ts's cardsInReach, then events_card_idx, read card by card, so never the other cards' events) and the events that
 * name the partner on member cards (events_partner_idx: its own operations, also on cards
 * whose contract has ended), and, unless the page is one card's, those that name the partner
 * and no card (the same index: its own set-up, such as a webhook endpoint CYNOD disabled).
 * Exported for the test that reads its plan.
 */
export function partnerEventsQuery(partnerId: string, filters: EventFilters, after: Position, limit: number): { text: string; values: unknown[] } {
  const types = filters.type === undefined ? PARTNER_EVENT_TYPES : [filters.type];
  const values: unknown[] = [partnerId, after.xact, after.seq, types, limit];
  const card = filters.cardId === undefined ? '' : `AND e.card_id = $${values.push(filters.cardId)}`;
  const settled = '(e.xact, e.seq) > ($2::bigint, $3::bigint) AND e.xact < (SELECT horizon FROM h)';
  const ownSetUp =
    filters.cardId === undefined
      ? `UNION (SELECT e.xact, e.seq FROM events e WHERE e.partner_id = $1 AND e.card_id IS NULL AND ${settled} AND e.type = ANY($4::text[]) ORDER BY e.xact, e.seq LIMIT $5)`
      : '';
  const text = `WITH h AS MATERIALIZED (SELECT ${SETTLED_HORIZON} AS horizon),
     page AS (
       (SELECT x.xact, x.seq FROM ${cardsInReach('$1')} k
          CROSS JOIN LATERAL (SELECT e.xact, e.seq FROM events e WHERE e.card_id = k.id AND ${settled} AND e.type = ANY($4::text[]) ${card} ORDER BY e.xact, e.seq LIMIT $5) x
         ORDER BY x.xact, x.seq LIMIT $5)
       UNION
       (SELECT e.xact, e.seq FROM events e JOIN cards k ON k.id = e.card_id AND k.kind = 'member'
         WHERE e.partner_id = $1 AND ${settled} AND e.type = ANY($4::text[]) ${card}
         ORDER BY e.xact, e.seq LIMIT $5)
       ${ownSetUp}
     )
     SELECT e.seq, e.xact, e.id, e.type, e.resource_type, e.resource_id, e.card_id, e.card_sequence, e.data, e.occurred_at,
            h.actor_kind = 'partner' AND h.actor_id = $1 AS own_hold
       FROM page JOIN events e ON e.seq = page.seq
       LEFT JOIN ledger_holds h ON e.resource_type = 'authorization' AND h.id = e.resource_id
      ORDER BY e.xact, e.seq LIMIT $5`;
  return { text, values };
}

/** The partner's settled events after the cursor, oldest first; `nextCursor` is the last event's, or the cursor given on an empty page. */
export async function listPartnerEvents(db: Queryable, actor: Actor, filters: EventFilters, page: PageInput): Promise<PartnerEventPage> {
  const partnerId = partnerIdOf(actor);
  const limit = pageSize(page.limit);
  const query = partnerEventsQuery(partnerId, filters, settledPosition(page.cursor), limit + 1);
  const rows = await db.query<EventRow>(query.text, query.values);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map((row) => toPartnerEvent(row, partnerId)),
    nextCursor: last ? settledCursor(last) : (page.cursor ?? null),
    hasMore: rows.length > limit,
  };
}

/** A settled event of a partner's feed and its position, for the webhook dispatcher (src/domain/webhooks/). */
export interface FeedEntry {
  event: PartnerEvent;
  position: Position;
}

/**
 * The partner's settled events after `after`, oldest first, exactly as the feed gives them to
 * it (the same statement and shape as listPartnerEvents): what a webhook delivers, so that push
 * and pull never disagree (the envelope gives the feed's amounts their units' scales; here, the
 * webhook's).
 */
export async function partnerFeedAfter(db: Queryable, partnerId: string, after: Position, limit: number): Promise<FeedEntry[]> {
  const query = partnerEventsQuery(partnerId, {}, after, limit);
  const rows = await db.query<EventRow>(query.text, query.values);
  return withUnitScales(
    db,
    rows.map((row) => ({ event: toPartnerEvent(row, partnerId), position: { xact: String(row.xact), seq: String(row.seq) } })),
  );
}
