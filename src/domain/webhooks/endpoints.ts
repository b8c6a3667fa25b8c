/**
 * Webhook endpoints: a partner's own (3rd Party API) or any partner's the caller reaches (Core
 * API), at most 5 a partner. Another partner's endpoint is never found (404, code 4153). A new
 * endpoint starts at the feed's settled horizon: it receives the events committed from then on.
 * Secrets are kept encrypted (the card vault's key) and shown once.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import type { Actor } from '../actor';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { CardVault } from '../cards/card-numbers';
import { recordEvent } from '../events/events';
import { newId } from '../ids';
import { SETTLED_HORIZON } from '../pagination';
import { partnerInReach, partnerRow } from '../partners/partners';
import { checkWebhookUrl, type AddressPolicy } from './addresses';
import { newWebhookSecret } from './signing';

type WebhookEndpoint = components['schemas']['WebhookEndpoint'];
type WebhookEndpointWithSecret = components['schemas']['WebhookEndpointWithSecret'];
type WebhookEndpointCreate = components['schemas']['WebhookEndpointCreate'];
type WebhookEndpointUpdate = components['schemas']['WebhookEndpointUpdate'];
type PartnerWebhookEndpointDisabled = components['schemas']['PartnerWebhookEndpointDisabled'];

/** The most endpoints a partner may have. */
const MAX_ENDPOINTS_PER_PARTNER = 5;

/** Default overlap of a rotation: the old secret signs beside the new one for a day. */
const DEFAULT_OVERLAP_SECONDS = 86_400;

export interface EndpointRow {
  id: string;
  partner_id: string;
  url: string;
  description: string | null;
  event_types: string[];
  status: 'enabled' | 'disabled';
  disabled_reason: WebhookEndpoint['disabledReason'];
  disabled_at: Date | null;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
  circuit_open_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** An endpoint as its owner sees it (never its secrets). */
export function toEndpoint(row: EndpointRow, now = new Date()): WebhookEndpoint {
  const open = row.circuit_open_until;
  return {
    id: row.id,
    partnerId: row.partner_id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types as WebhookEndpoint['eventTypes'],
    enabled: row.status === 'enabled',
    status: row.status,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    circuit: open === null ? 'closed' : open > now ? 'open' : 'half-open',
    failingSince: row.failing_since?.toISOString() ?? null,
    previousSecretExpiresAt: row.previous_secret_expires_at && row.previous_secret_expires_at > now ? row.previous_secret_expires_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The secrets that sign now, the newest first. */
export function liveSecrets(row: EndpointRow, vault: CardVault, now = new Date()): string[] {
  const previous = row.previous_secret_sealed && row.previous_secret_expires_at && row.previous_secret_expires_at > now ? [row.previous_secret_sealed] : [];
  return [row.secret_sealed, ...previous].map((sealed) => vault.decrypt(sealed));
}

/** Whose endpoints a call manages, and who is disabling when it disables one. */
export interface Owner {
  partnerId: string;
  /** `partner` through the 3rd Party API, `issuer` through the Core API. */
  by: 'partner' | 'issuer';
}

/** The owner's endpoint, locked when `forUpdate`; WEBHOOK_ENDPOINT_NOT_FOUND otherwise (another partner's included). */
export async function ownEndpoint(db: Queryable, owner: Owner, endpointId: string, forUpdate = false): Promise<EndpointRow> {
  const [row] = await db.query<EndpointRow>(`SELECT * FROM webhook_endpoints WHERE id = $1 AND partner_id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [
    endpointId,
    owner.partnerId,
  ]);
  if (!row) throw new AppError('WEBHOOK_ENDPOINT_NOT_FOUND', `No webhook endpoint ${endpointId}`);
  return row;
}

export async function listEndpoints(db: Queryable, owner: Owner): Promise<{ items: WebhookEndpoint[] }> {
  const rows = await db.query<EndpointRow>('SELECT * FROM webhook_endpoints WHERE partner_id = $1 ORDER BY seq', [owner.partnerId]);
  return { items: rows.map((row) => toEndpoint(row)) };
}

export async function createEndpoint(
  db: Queryable,
  actor: Actor,
  vault: CardVault,
  policy: AddressPolicy,
  owner: Owner,
  input: WebhookEndpointCreate,
): Promise<WebhookEndpointWithSecret> {
  const url = await checkWebhookUrl(input.url, policy);
  const secret = newWebhookSecret();
  return db.transaction(async (tx) => {
    await partnerRow(tx, owner.partnerId, true); // one creation at a time per partner: the limit holds
    const [{ count }] = await tx.query<{ count: number }>('SELECT count(*)::int AS count FROM webhook_endpoints WHERE partner_id = $1', [owner.partnerId]);
    if (count >= MAX_ENDPOINTS_PER_PARTNER)
      throw new AppError('WEBHOOK_ENDPOINT_LIMIT', `The partner already has ${count} webhook endpoints, the most it may have`);
    const enabled = input.enabled ?? true;
    const [row] = await tx.query<EndpointRow>(
      `INSERT INTO webhook_endpoints (id, partner_id, url, description, event_types, status, disabled_reason, disabled_at, secret_sealed, feed_xact, feed_seq)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $6 = 'disabled' THEN now() END, $8, ${SETTLED_HORIZON} - 1, 9223372036854775807) RETURNING *`,
      [
        newId('whe'),
        owner.partnerId,
        url,
        input.description ?? null,
        input.eventTypes ?? [],
        enabled ? 'enabled' : 'disabled',
        enabled ? null : owner.by,
        vault.encrypt(secret),
      ],
    );
    const created = toEndpoint(row);
    await recordAudit(tx, actor, { action: 'webhook-endpoint.created', resourceType: 'webhook-endpoint', resourceId: row.id, before: null, after: created });
    return { ...created, secret };
  });
}

export async function updateEndpoint(
  db: Queryable,
  actor: Actor,
  policy: AddressPolicy,
  owner: Owner,
  endpointId: string,
  changes: WebhookEndpointUpdate,
): Promise<WebhookEndpoint> {
  const url = changes.url === undefined ? undefined : await checkWebhookUrl(changes.url, policy);
  return db.transaction(async (tx) => {
    const before = await ownEndpoint(tx, owner, endpointId, true);
    const enabled = changes.enabled ?? before.status === 'enabled';
    const enabling = enabled && before.status === 'disabled';
    const [row] = await tx.query<EndpointRow>(
      `UPDATE webhook_endpoints SET url = $2, description = $3, event_types = $4, status = $5, disabled_reason = $6, updated_at = now(),
              disabled_at = CASE WHEN $5 = 'enabled' THEN NULL ELSE COALESCE(disabled_at, now()) END,
              consecutive_failures = CASE WHEN $7 THEN 0 ELSE consecutive_failures END,
              failing_since = CASE WHEN $7 THEN NULL ELSE failing_since END,
              circuit_open_until = CASE WHEN $7 THEN NULL ELSE circuit_open_until END
        WHERE id = $1 RETURNING *`,
      [
        endpointId,
        url ?? before.url,
        changes.description === undefined ? before.description : changes.description,
        changes.eventTypes ?? before.event_types,
        enabled ? 'enabled' : 'disabled',
        enabled ? null : before.status === 'disabled' ? before.disabled_reason : owner.by,
        enabling,
      ],
    );
    const after = toEndpoint(row);
    await recordAudit(tx, actor, {
      action: 'webhook-endpoint.updated',
      resourceType: 'webhook-endpoint',
      resourceId: endpointId,
      before: toEndpoint(before),
      after,
    });
    return after;
  });
}

export async function deleteEndpoint(db: Queryable, actor: Actor, owner: Owner, endpointId: string): Promise<{ id: string; deleted: true }> {
  return db.transaction(async (tx) => {
    const before = await ownEndpoint(tx, owner, endpointId, true);
    await tx.query('DELETE FROM webhook_endpoints WHERE id = $1', [endpointId]);
    await recordAudit(tx, actor, {
      action: 'webhook-endpoint.deleted',
      resourceType: 'webhook-endpoint',
      resourceId: endpointId,
      before: toEndpoint(before),
      after: null,
    });
    return { id: endpointId, deleted: true as const };
  });
}

/**
 * CYNOD disables an endpoint that answered 410 Gone or failed every retry of a delivery, once
 * (a failure recorded after another one, or after its owner, disabled it changes nothing): the
 * partner is told in its feed by a `webhook-endpoint.disabled` event (which endpoint, why and
 * since when; the partner's other endpoints receive it by webhook), and the audit trail records it.
 */
export async function disableUnreachable(tx: Queryable, actor: Actor, endpointId: string, reason: 'gone' | 'failing'): Promise<void> {
  const [before] = await tx.query<EndpointRow>('SELECT * FROM webhook_endpoints WHERE id = $1 FOR UPDATE', [endpointId]);
  if (before?.status !== 'enabled') return;
  const [row] = await tx.query<EndpointRow>(
    "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2, disabled_at = now(), updated_at = now() WHERE id = $1 RETURNING *",
    [endpointId, reason],
  );
  const after = toEndpoint(row);
  const notice: PartnerWebhookEndpointDisabled = {
    endpointId,
    url: row.url,
    disabledReason: reason,
    disabledAt: after.disabledAt as string,
    failingSince: after.failingSince,
  };
  await recordEvent(tx, {
    type: 'webhook-endpoint.disabled',
    resourceType: 'webhook-endpoint',
    resourceId: endpointId,
    data: notice,
    partnerId: row.partner_id,
  });
  await recordAudit(tx, actor, {
    action: 'webhook-endpoint.disabled',
    resourceType: 'webhook-endpoint',
    resourceId: endpointId,
    before: toEndpoint(before),
    after,
  });
}

/** A new secret; the current one keeps signing beside it for `overlapSeconds` (older ones stop at once). */
export async function rotateEndpointSecret(
  db: Queryable,
  actor: Actor,
  vault: CardVault,
  owner: Owner,
  endpointId: string,
  overlapSeconds = DEFAULT_OVERLAP_SECONDS,
): Promise<WebhookEndpointWithSecret> {
  const secret = newWebhookSecret();
  return db.transaction(async (tx) => {
    await ownEndpoint(tx, owner, endpointId, true);
    const [row] = await tx.query<EndpointRow>(
      `UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, previous_secret_expires_at = now() + make_interval(secs => $2),
              secret_sealed = $3, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [endpointId, overlapSeconds, vault.encrypt(secret)],
    );
    const after = toEndpoint(row);
    await recordAudit(tx, actor, { action: 'webhook-endpoint.secret-rotated', resourceType: 'webhook-endpoint', resourceId: endpointId, before: null, after });
    return { ...after, secret };
  });
}

/** The owner a Core API call manages: a partner the caller reaches (PARTNER_NOT_FOUND, PARTNER_OUT_OF_REACH). */
export async function issuerOwner(db: Queryable, actor: Actor, partnerId: string): Promise<Owner> {
  await partnerInReach(db, actor, partnerId);
  return { partnerId, by: 'issuer' };
}

/**
 * A sandbox partner's test clock moved forward by `seconds` (clocks.ts), in the caller's
 * transaction: its endpoints' pending deliveries and open circuits come due that much sooner,
 * so that the dispatcher's next run attempts the retries now due; returns how many deliveries
 * moved.
 */
export async function advanceWebhookRetries(tx: Queryable, partnerId: string, seconds: number): Promise<number> {
  await tx.query(
    `UPDATE webhook_endpoints SET circuit_open_until = circuit_open_until - make_interval(secs => $2)
      WHERE partner_id = $1 AND circuit_open_until IS NOT NULL`,
    [partnerId, seconds],
  );
  const moved = await tx.query(
    `UPDATE webhook_deliveries SET next_attempt_at = next_attempt_at - make_interval(secs => $2)
      WHERE status = 'pending' AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE partner_id = $1) RETURNING 1`,
    [partnerId, seconds],
  );
  return moved.length;
}
