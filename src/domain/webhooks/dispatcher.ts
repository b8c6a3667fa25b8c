/**
 * The webhook dispatcher: one per instance, run every WEBHOOK_POLL_INTERVAL_MS (src/main.ts).
 * A disabled partner is pushed nothing: its endpoints queue and send nothing until it is
 * enabled again, then carry on from their position in the feed.
 * Each run (1) queues, for every enabled endpoint, the events of its partner's feed after the
 * endpoint's position (batches of 100, up to 1,000 a run) (the gateway's own statement and shape: push and pull never disagree),
 * moving the position by compare-and-set so that two instances never queue an event twice;
 * (2) claims due deliveries endpoint by endpoint, the endpoint's row locked with SKIP LOCKED,
 * at most WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT leased at once over every instance (one while its
 * circuit is half-open, none while it is open), each under a lease longer than an attempt's
 * deadline: a dispatcher killed mid-delivery loses nothing (the lease runs out and the attempt
 * runs again) and no two instances run one attempt at once; (3) sends them without waiting, so a
 * slow receiver holds only its own slots, and a delivery that ends claims the endpoint's next
 * due one at once (an endpoint is not limited to its slots per poll interval). Failures retry with exponential backoff and jitter
 * (about 3 days with the defaults); 410 disables the endpoint; the last retry failing disables
 * it too ("failing"), and the partner is told in its feed (endpoints.ts, disableUnreachable).
 * (4) purges, a batch a run, the delivery log older than WEBHOOK_LOG_RETENTION_DAYS.
 * Lock order, everywhere: the endpoint's row before its deliveries' (a record takes the
 * endpoint's key-share lock first), so that deleting an endpoint, whose cascade locks the
 * deliveries, never deadlocks with a delivery being recorded.
 */
import type { Queryable } from '../../db/database';
import { SYSTEM_ACTORS } from '../actor';
import { partnerFeedAfter, type FeedEntry } from '../gateway/events';
import type { CardVault } from '../cards/card-numbers';
import { newId } from '../ids';
import type { Position } from '../pagination';
import { partnerIsActive, partnerRow } from '../partners/partners';
import { webhookAttempted } from '../observation';
import type { AddressPolicy } from './addresses';
import { disableUnreachable, liveSecrets, type EndpointRow } from './endpoints';
import { retryDelayMs } from './backoff';
import { purgeDeliveryLog } from './retention';
import { signedHeaders } from './signing';
import type { WebhookSettings } from './settings';
import { postWebhook, type Answer } from './transport';
import type { LookupFunction } from 'node:net';

/** Events read from the feed per batch, and batches per endpoint and run. */
const FEED_BATCH = 100;
const MAX_FEED_BATCHES = 10;
/** The pause between purges of the delivery log once one found less than a full batch. */
const PURGE_INTERVAL_MS = 60_000;

export interface DispatcherSettings extends Omit<WebhookSettings, 'pollIntervalMs' | 'allowLoopbackHttp'> {
  policy: AddressPolicy;
  /** Jitter source, [0, 1) (tests pass a fixed one). */
  random?: () => number;
  /** Replaces DNS resolution at connection (tests). */
  lookup?: LookupFunction;
}

interface Claimed {
  id: string;
  event_id: string;
  payload: string;
  attempts: number;
}

type Outcome = 'succeeded' | 'retrying' | 'failed' | 'gone';

export class WebhookDispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private nextPurgeAt = 0;
  /** While draining, a delivery that ends does not start the next one. */
  private draining = false;

  constructor(
    private readonly db: Queryable,
    private readonly vault: CardVault,
    private readonly settings: DispatcherSettings,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** One run: queue new events, claim and start due deliveries, purge the old log when it is time. Resolves once deliveries are started, not sent. */
  async run(): Promise<{ queued: number; started: number; purged: number }> {
    const queued = await this.queueFromFeeds();
    const started = await this.claimAndStart();
    const purged = await this.purgeLog();
    return { queued, started, purged };
  }

  /** A batch of the delivery log older than the retention, at most once a minute unless the last batch was full. */
  async purgeLog(): Promise<number> {
    if (Date.now() < this.nextPurgeAt) return 0;
    const { purged, full } = await purgeDeliveryLog(this.db, this.settings.logRetentionDays);
    this.nextPurgeAt = full ? 0 : Date.now() + PURGE_INTERVAL_MS;
    return purged;
  }

  /** Resolves when every delivery started has ended, starting no more meanwhile (shutdown waits for it). */
  async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    } finally {
      this.draining = false;
    }
  }

  /** Queues the feed's new events of every enabled endpoint, batch after batch while batches are full (up to MAX_FEED_BATCHES). */
  async queueFromFeeds(): Promise<number> {
    const endpoints = await this.db.query<{ id: string; partner_id: string; event_types: string[]; feed_xact: string; feed_seq: string }>(
      "SELECT id, partner_id, event_types, feed_xact, feed_seq FROM webhook_endpoints WHERE status = 'enabled' ORDER BY seq",
    );
    let queued = 0;
    for (const endpoint of endpoints) {
      if (!(await partnerActive(this.db, endpoint.partner_id))) continue; // a disabled partner is pushed nothing: its events wait in the feed
      let position: Position = { xact: String(endpoint.feed_xact), seq: String(endpoint.feed_seq) };
      for (let batch = 0; batch < MAX_FEED_BATCHES; batch++) {
        const entries = await partnerFeedAfter(this.db, endpoint.partner_id, position, FEED_BATCH);
        const moved = await this.queueBatch(endpoint, position, entries);
        if (moved === null) break; // another instance queued them
        queued += moved;
        position = entries[entries.length - 1].position;
        if (entries.length < FEED_BATCH) break;
      }
    }
    return queued;
  }

  /** Moves the endpoint's position from `from` to the batch's last event and queues the batch's wanted events; null when there was nothing, or another instance moved it first. */
  private async queueBatch(endpoint: { id: string; event_types: string[] }, from: Position, entries: FeedEntry[]): Promise<number | null> {
    const last = entries[entries.length - 1];
    if (!last) return null;
    const wanted = entries.filter((entry) => endpoint.event_types.length === 0 || endpoint.event_types.includes(entry.event.type));
    return this.db.transaction(async (tx) => {
      const moved = await tx.query(
        'UPDATE webhook_endpoints SET feed_xact = $2, feed_seq = $3 WHERE id = $1 AND feed_xact = $4 AND feed_seq = $5 RETURNING id',
        [endpoint.id, last.position.xact, last.position.seq, from.xact, from.seq],
      );
      if (moved.length === 0) return null;
      if (wanted.length === 0) return 0;
      const rows = await tx.query(
        `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload)
           SELECT d.id, $1, d.event_id, d.event_type, d.payload FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS d (id, event_id, event_type, payload)
           ON CONFLICT DO NOTHING RETURNING id`,
        [
          endpoint.id,
          wanted.map(() => newId('whd')),
          wanted.map((entry) => entry.event.id),
          wanted.map((entry) => entry.event.type),
          wanted.map((entry) => JSON.stringify(entry.event)),
        ],
      );
      return rows.length;
    });
  }

  /** Claims the due deliveries of each endpoint within its limits, and starts them. */
  async claimAndStart(): Promise<number> {
    const endpoints = await this.db.query<{ id: string }>(
      `SELECT e.id FROM webhook_endpoints e
        WHERE e.status = 'enabled' AND (e.circuit_open_until IS NULL OR e.circuit_open_until <= now())
          AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= now()
                        AND (d.lease_until IS NULL OR d.lease_until <= now()))
        ORDER BY e.seq`,
    );
    let started = 0;
    for (const { id } of endpoints) started += await this.startFor(id);
    return started;
  }

  /**
   * Claims and starts what the endpoint may send now. A delivery that ends frees its slot at
   * once (unless draining): the endpoint's next due delivery is claimed then, not at the next
   * run, so one endpoint's throughput is not its slots per poll interval.
   */
  private async startFor(endpointId: string): Promise<number> {
    const claim = await this.claim(endpointId).catch((error: unknown) => {
      this.onError(error);
      return null;
    });
    if (!claim) return 0;
    const secrets = liveSecrets(claim.endpoint, this.vault);
    for (const delivery of claim.deliveries) this.start(claim.endpoint, secrets, delivery);
    return claim.deliveries.length;
  }

  /**
   * Sends one delivery; what follows it: the next delivery handed over in the same statement
   * as a success's record (started at once), or, after any other outcome, a fresh claim (none
   * while draining).
   */
  private start(endpoint: EndpointRow, secrets: string[], delivery: Claimed): void {
    const run: Promise<void> = this.deliver(endpoint, secrets, delivery)
      .catch((error: unknown) => {
        this.onError(error);
        return null;
      })
      .then(async (handedOver) => {
        // A delivery handed over is already leased: it is sent even while draining (drain waits for it; it hands nothing over).
        if (handedOver) this.start(endpoint, secrets, handedOver);
        else if (handedOver === null && !this.draining) await this.startFor(endpoint.id);
      })
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  /** In one transaction, the endpoint locked (skipped when another instance holds it): the deliveries it may start now, leased. */
  private claim(endpointId: string): Promise<{ endpoint: EndpointRow; deliveries: Claimed[] } | null> {
    return this.db.transaction(async (tx) => {
      const [endpoint] = await tx.query<EndpointRow>(
        `SELECT * FROM webhook_endpoints WHERE id = $1 AND status = 'enabled' AND (circuit_open_until IS NULL OR circuit_open_until <= now()) FOR NO KEY UPDATE SKIP LOCKED`,
        [endpointId],
      );
      if (!endpoint || !(await partnerActive(tx, endpoint.partner_id))) return null;
      const capacity = endpoint.circuit_open_until === null ? this.settings.maxInFlightPerEndpoint : 1; // half-open: one try
      const [{ leased }] = await tx.query<{ leased: number }>(
        "SELECT count(*)::int AS leased FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending' AND lease_until > now()",
        [endpointId],
      );
      if (leased >= capacity) return null;
      const deliveries = await tx.query<Claimed>(
        `UPDATE webhook_deliveries d SET lease_until = now() + make_interval(secs => $3::double precision / 1000), attempts = d.attempts + 1
           FROM (SELECT id FROM webhook_deliveries
                  WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until <= now())
                  ORDER BY next_attempt_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED) due
          WHERE d.id = due.id
          RETURNING d.id, d.event_id, d.payload, d.attempts`,
        [endpointId, capacity - leased, this.settings.timeoutMs + this.settings.leaseMarginMs],
      );
      return deliveries.length ? { endpoint, deliveries } : null;
    });
  }

  /**
   * Sends one delivery and records the attempt, the delivery's next step and the endpoint's
   * health. After a success: the endpoint's next due delivery, leased in the same statement
   * (undefined when there is none), else null (the caller claims afresh).
   */
  private async deliver(endpoint: EndpointRow, secrets: string[], delivery: Claimed): Promise<Claimed | undefined | null> {
    const attemptedAt = new Date();
    const headers = signedHeaders(secrets, delivery.event_id, attemptedAt, delivery.payload);
    const answer = await postWebhook(endpoint.url, { ...headers }, delivery.payload, {
      timeoutMs: this.settings.timeoutMs,
      policy: this.settings.policy,
      lookup: this.settings.lookup,
    });
    const outcome = this.outcomeOf(answer, delivery.attempts);
    const next = outcome === 'succeeded' && !this.draining ? await this.recordSuccess(endpoint.id, delivery, attemptedAt, answer) : null;
    if (next === null) await this.record(endpoint.id, delivery, attemptedAt, answer, outcome);
    webhookAttempted.publish({ outcome, latencyMs: answer.latencyMs });
    return next;
  }

  /**
   * A success, in one statement (the hot path): the delivery closed and its attempt logged (only
   * by the holder of the attempt's lease), the endpoint healed if it was not healthy, and its
   * next due delivery leased in its place: the slot passes from one to the other without the
   * endpoint's lock, so the endpoint's leases never outnumber its slots. Nothing is handed over
   * when the endpoint is no longer enabled or its partner is disabled (its circuit, if it was
   * open, this success closes). Null when the lease was lost (nothing recorded; record() finds
   * nothing to record either then).
   */
  private async recordSuccess(endpointId: string, delivery: Claimed, attemptedAt: Date, answer: Answer): Promise<Claimed | undefined | null> {
    const rows = await this.db.query<Claimed | { [K in keyof Claimed]: null }>(
      `WITH done AS (
         UPDATE webhook_deliveries SET lease_until = NULL, status = 'succeeded', completed_at = now()
          WHERE id = $1 AND attempts = $2 AND status = 'pending'
            AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = $3 FOR KEY SHARE) RETURNING id),
       logged AS (
         INSERT INTO webhook_attempts (delivery_id, endpoint_id, event_id, attempt, attempted_at, status_code, error, latency_ms, response_excerpt, outcome)
         SELECT id, $3, $4, $2, $5, $6, NULL, $7, $8, 'succeeded' FROM done RETURNING 1),
       healed AS (
         UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL, circuit_open_until = NULL
          WHERE id = $3 AND EXISTS (SELECT 1 FROM done)
            AND (consecutive_failures <> 0 OR failing_since IS NOT NULL OR circuit_open_until IS NOT NULL) RETURNING 1),
       next AS (
         UPDATE webhook_deliveries d SET lease_until = now() + make_interval(secs => $9::double precision / 1000), attempts = d.attempts + 1
           FROM (SELECT id FROM webhook_deliveries
                  WHERE endpoint_id = $3 AND id <> $1 AND status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until <= now())
                    AND EXISTS (SELECT 1 FROM done)
                    AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = $3 AND e.status = 'enabled' AND ${partnerIsActive('e.partner_id')})
                  ORDER BY next_attempt_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED) due
          WHERE d.id = due.id
          RETURNING d.id, d.event_id, d.payload, d.attempts)
       -- No row: the lease was lost. A row of nulls: recorded, nothing handed over.
       SELECT next.* FROM done LEFT JOIN next ON true`,
      [
        delivery.id,
        delivery.attempts,
        endpointId,
        delivery.event_id,
        attemptedAt,
        answer.statusCode,
        answer.latencyMs,
        answer.responseExcerpt,
        this.settings.timeoutMs + this.settings.leaseMarginMs,
      ],
      { prepare: true },
    );
    const [row] = rows;
    if (!row) return null;
    return row.id === null ? undefined : row;
  }

  private outcomeOf(answer: Answer, attempts: number): Outcome {
    if (answer.statusCode !== null && answer.statusCode >= 200 && answer.statusCode < 300) return 'succeeded';
    if (answer.statusCode === 410) return 'gone';
    return attempts >= this.settings.maxAttempts ? 'failed' : 'retrying';
  }

  private async record(endpointId: string, delivery: Claimed, attemptedAt: Date, answer: Answer, outcome: Outcome): Promise<void> {
    const { circuitThreshold, circuitOpenMs, retryBaseMs, random } = this.settings;
    const delayMs = outcome === 'retrying' ? retryDelayMs(delivery.attempts, retryBaseMs, random) : 0;
    await this.db.transaction(async (tx) => {
      if ((await tx.query('SELECT 1 FROM webhook_endpoints WHERE id = $1 FOR KEY SHARE', [endpointId])).length === 0) return; // deleted
      // Only the holder of this attempt's lease records it (a lease that ran out belongs to whoever claimed it next).
      const [current] = await tx.query(
        `UPDATE webhook_deliveries SET lease_until = NULL,
                status = CASE $3 WHEN 'retrying' THEN 'pending' WHEN 'succeeded' THEN 'succeeded' ELSE 'failed' END,
                next_attempt_at = CASE WHEN $3 = 'retrying' THEN now() + make_interval(secs => $4::double precision / 1000) ELSE next_attempt_at END,
                completed_at = CASE WHEN $3 = 'retrying' THEN NULL ELSE now() END
          WHERE id = $1 AND attempts = $2 AND status = 'pending' RETURNING id`,
        [delivery.id, delivery.attempts, outcome, delayMs],
      );
      if (!current) return;
      await tx.query(
        `INSERT INTO webhook_attempts (delivery_id, endpoint_id, event_id, attempt, attempted_at, status_code, error, latency_ms, response_excerpt, outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          delivery.id,
          endpointId,
          delivery.event_id,
          delivery.attempts,
          attemptedAt,
          answer.statusCode,
          answer.error,
          answer.latencyMs,
          answer.responseExcerpt,
          outcome,
        ],
      );
      if (outcome === 'succeeded') {
        await tx.query('UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL, circuit_open_until = NULL WHERE id = $1', [endpointId]);
        return;
      }
      await tx.query(
        `UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1, failing_since = COALESCE(failing_since, $2),
                circuit_open_until = CASE WHEN consecutive_failures + 1 >= $3 THEN now() + make_interval(secs => $4::double precision / 1000) ELSE circuit_open_until END
          WHERE id = $1`,
        [endpointId, attemptedAt, circuitThreshold, circuitOpenMs],
      );
      if (outcome === 'gone' || outcome === 'failed') await disableUnreachable(tx, SYSTEM_ACTORS.system, endpointId, outcome === 'gone' ? 'gone' : 'failing');
    });
  }
}

/** The state of webhook delivery, for the metrics: deliveries waiting, the oldest due one's wait, open circuits. */
export async function webhookBacklog(db: Queryable): Promise<{ pending: number; lagSeconds: number; openCircuits: number }> {
  const [row] = await db.query<{ pending: number; lag: number; open: number }>(
    `SELECT (SELECT count(*)::int FROM webhook_deliveries WHERE status = 'pending') AS pending,
            (SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(d.created_at)), 0)::float8 FROM webhook_deliveries d
               JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.status = 'enabled'
              WHERE d.status = 'pending' AND d.next_attempt_at <= now()) AS lag,
            (SELECT count(*)::int FROM webhook_endpoints WHERE status = 'enabled' AND circuit_open_until > now()) AS open`,
    [],
    { prepare: true },
  );
  return { pending: row.pending, lagSeconds: row.lag, openCircuits: row.open };
}

/** True when the partner may be pushed to (not disabled). */
async function partnerActive(db: Queryable, partnerId: string): Promise<boolean> {
  return (await partnerRow(db, partnerId)).status === 'active';
}
