/**
 * A card's spending, what its period limits are measured against: its payments not cancelled
 * and its open authorisations. Periods are calendar periods of the card's time zone (cardTimeZoneOf:
 * its client's, else its network's; time-zones.ts).
 */
import type { Queryable } from '../../db/database';
import { DEFAULT_TIME_ZONE, periodBounds } from '../time-zones';
import { clockMovesOf, clockOfMoves, WALL_CLOCK, type Clock } from '../clocks';

const DAY_MS = 86_400_000;

/**
 * SQL of the time zone a card of client `client` (a column or placeholder) counts its days,
 * weeks and months in, the one rule every card-level period follows (limits, allowances,
 * offline caps, a card's day statement): its client's own zone when the client keeps one,
 * else its network's. Null for a card without a client (an E-service card), which counts in
 * DEFAULT_TIME_ZONE. A station's days (settlements, offline ceilings) and a partner's day
 * statement stay in the network's zone (client_network_zones, service_point_network_zones).
 */
export const cardTimeZoneOf = (client: string): string =>
  `(SELECT COALESCE(z.client_time_zone, z.network_time_zone) FROM client_time_zones z WHERE z.client_id = ${client})`;

/** The time zone of the card (cardTimeZoneOf): its limits' periods are counted in it. */
export async function cardTimeZone(db: Queryable, cardId: string): Promise<string> {
  const [row] = await db.query<{ time_zone: string | null }>(`SELECT ${cardTimeZoneOf('c.client_id')} AS time_zone FROM cards c WHERE c.id = $1`, [cardId]);
  return row?.time_zone ?? DEFAULT_TIME_ZONE;
}

/** The clock of the card's world (clocks.ts: the wall clock but in a sandbox world moved forward). */
export async function cardClock(db: Queryable, cardId: string): Promise<Clock> {
  const [row] = await db.query<{ moves: { movedAt: string; offsetSeconds: number }[] }>(
    `SELECT ${clockMovesOf('c.client_id')} AS moves FROM cards c WHERE c.id = $1`,
    [cardId],
  );
  return clockOfMoves(row?.moves ?? null);
}

export interface Spend {
  unit: string;
  amount: bigint;
  quantityMl: bigint;
  at: Date;
  /** An open authorisation rather than a payment. */
  held: boolean;
  /** A fuel payment or authorisation: a fill. */
  fill: boolean;
}

/**
 * The card's payments (not cancelled) and open authorisations made in the current week and
 * month around `at` in `timeZone`, and in the day before it (the interval between fills looks back up to a
 * day), in one statement. `asOf` reads them as they stood at `at` (a past instant, for the
 * allowances); without it every committed one counts, even one whose transaction started
 * after `at` (a payment racing this one: its row's time is its transaction's start). `at` and
 * the spends' times are in the time of the card's world (`clock`: clocks.ts); its rows keep the
 * database's.
 */
export async function cardSpends(db: Queryable, cardId: string, at: Date, timeZone: string, asOf = false, clock: Clock = WALL_CLOCK): Promise<Spend[]> {
  const since = new Date(
    Math.min(periodBounds('week', at, timeZone).start.getTime(), periodBounds('month', at, timeZone).start.getTime(), at.getTime() - DAY_MS),
  );
  const realAt = clock.real(at);
  const rows = await db.query<{ unit_code: string; amount: string; quantity_ml: string | null; created_at: Date; held: boolean; service: string }>(
    `SELECT o.unit_code, o.amount::text AS amount, (o.fuel->>'quantityMl') AS quantity_ml, o.created_at, false AS held, o.service
       FROM ledger_operations o JOIN ledger_accounts a ON a.id = o.debit_account_id
      WHERE a.card_id = $1 AND o.type = 'payment' AND o.created_at >= $2 AND ($4::timestamptz IS NULL OR o.created_at <= $4)
        AND NOT EXISTS (SELECT 1 FROM ledger_operations c WHERE c.cancels_operation_id = o.id AND ($4::timestamptz IS NULL OR c.created_at <= $4))
     UNION ALL
     SELECT unit_code, amount::text, quantity_ml::text, created_at, true, service FROM ledger_holds
      WHERE card_id = $1 AND status = 'open' AND expires_at > $3 AND created_at >= $2 AND ($4::timestamptz IS NULL OR created_at <= $4)`,
    [cardId, clock.real(since), realAt, asOf ? realAt : null],
    { prepare: true },
  );
  return rows.map((row) => ({
    unit: row.unit_code,
    amount: BigInt(row.amount),
    quantityMl: BigInt(row.quantity_ml ?? 0),
    at: clock.local(row.created_at),
    held: row.held,
    fill: row.service === 'fuel',
  }));
}

/** What the spends of the period starting at `start` add up to, by `figure`, among those `matches` keeps: paid, and held. */
export function spent(
  spends: readonly Spend[],
  start: Date,
  figure: (spend: Spend) => bigint,
  matches: (spend: Spend) => boolean = () => true,
): { used: bigint; held: bigint } {
  let used = 0n;
  let held = 0n;
  for (const spend of spends) {
    if (spend.at < start || !matches(spend)) continue;
    if (spend.held) held += figure(spend);
    else used += figure(spend);
  }
  return { used, held };
}
