/**
 * What an endpoint's owner does with its deliveries: read the delivery log (every attempt,
 * newest first), queue events again (one, or every event queued in a time range: each a new
 * delivery, with the event's id as its `webhook-id`, signed anew), and ping the endpoint.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import type { CardVault } from '../cards/card-numbers';
import { newId } from '../ids';
import { cursorPosition, pageSize, type PageInput } from '../pagination';
import type { AddressPolicy } from './addresses';
import { liveSecrets, ownEndpoint, type Owner } from './endpoints';
import { signedHeaders } from './signing';
import { postWebhook } from './transport';

type WebhookAttempt = components['schemas']['WebhookAttempt'];
type WebhookAttemptPage = components['schemas']['WebhookAttemptPage'];
type WebhookRedelivery = components['schemas']['WebhookRedelivery'];
type WebhookPing = components['schemas']['WebhookPing'];

/** The longest time range one redelivery may cover. */
const MAX_REDELIVERY_RANGE_MS = 31 * 86_400_000;

interface AttemptRow {
  seq: string;
  delivery_id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  attempted_at: Date;
  status_code: number | null;
  error: string | null;
  latency_ms: number;
  response_excerpt: string | null;
  outcome: WebhookAttempt['outcome'];
}

/** The endpoint's attempts, newest first; the cursor is the last attempt's seq (older ones follow). */
export async function listAttempts(db: Queryable, owner: Owner, endpointId: string, page: PageInput): Promise<WebhookAttemptPage> {
  await ownEndpoint(db, owner, endpointId);
  const limit = pageSize(page.limit);
  const before = page.cursor === undefined ? null : cursorPosition(page.cursor);
  const rows = await db.query<AttemptRow>(
    `SELECT a.*, d.event_type FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
      WHERE a.endpoint_id = $1 AND ($2::bigint IS NULL OR a.seq < $2) ORDER BY a.seq DESC LIMIT $3`,
    [endpointId, before, limit + 1],
  );
  const items = rows.slice(0, limit);
  return {
    items: items.map((row) => ({
      deliveryId: row.delivery_id,
      eventId: row.event_id,
      eventType: row.event_type,
      attempt: row.attempt,
      attemptedAt: row.attempted_at.toISOString(),
      statusCode: row.status_code,
      error: row.error,
      latencyMs: row.latency_ms,
      responseExcerpt: row.response_excerpt,
      outcome: row.outcome,
    })),
    nextCursor: rows.length > limit ? Buffer.from(String(items[items.length - 1].seq)).toString('base64url') : null,
  };
}

const invalid = (message: string) => new AppError('WEBHOOK_REDELIVERY_INVALID', message);

/** Queues again one event, or every event first queued for the endpoint in [from, to). */
export async function redeliver(db: Queryable, owner: Owner, endpointId: string, request: WebhookRedelivery): Promise<{ queued: number }> {
  const range = request.from !== undefined || request.to !== undefined;
  if (request.eventId !== undefined && range) throw invalid('Give either eventId or from and to, not both');
  if (request.eventId === undefined && !range) throw invalid('Give eventId, or from and to');
  return db.transaction(async (tx) => {
    await ownEndpoint(tx, owner, endpointId);
    const copy = `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, redelivery)
                  SELECT 'whd_' || left(replace(gen_random_uuid()::text, '-', ''), 24), endpoint_id, event_id, event_type, payload, true FROM webhook_deliveries`;
    if (request.eventId !== undefined) {
      const rows = await tx.query(`${copy} WHERE endpoint_id = $1 AND event_id = $2 AND NOT redelivery RETURNING id`, [endpointId, request.eventId]);
      if (rows.length === 0) throw new AppError('WEBHOOK_EVENT_NOT_FOUND', `Event ${request.eventId} was never queued for webhook endpoint ${endpointId}`);
      return { queued: rows.length };
    }
    if (request.from === undefined || request.to === undefined) throw invalid('A range needs both from and to');
    const from = new Date(request.from);
    const to = new Date(request.to);
    if (!(from < to)) throw invalid('from must be before to');
    if (to.getTime() - from.getTime() > MAX_REDELIVERY_RANGE_MS) throw invalid('A range covers at most 31 days');
    const rows = await tx.query(`${copy} WHERE endpoint_id = $1 AND NOT redelivery AND created_at >= $2 AND created_at < $3 ORDER BY seq RETURNING id`, [
      endpointId,
      from,
      to,
    ]);
    return { queued: rows.length };
  });
}

/** Sends a signed `webhook.ping` now and tells what the endpoint answered (not logged, not retried). */
export async function pingEndpoint(
  db: Queryable,
  vault: CardVault,
  settings: { timeoutMs: number; policy: AddressPolicy },
  owner: Owner,
  endpointId: string,
): Promise<WebhookPing> {
  const endpoint = await ownEndpoint(db, owner, endpointId);
  const webhookId = newId('msg');
  const at = new Date();
  const body = JSON.stringify({ type: 'webhook.ping', endpointId, occurredAt: at.toISOString() });
  const answer = await postWebhook(endpoint.url, { ...signedHeaders(liveSecrets(endpoint, vault, at), webhookId, at, body) }, body, settings);
  const succeeded = answer.statusCode !== null && answer.statusCode >= 200 && answer.statusCode < 300;
  return { webhookId, succeeded, ...answer };
}
