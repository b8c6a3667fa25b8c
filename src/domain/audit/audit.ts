/** The audit trail: every create, update and transition, with the state before and after. */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { pageOfSettledRows, type PageInput, type SettledPage } from '../pagination';
import { newId } from '../ids';
import type { Actor } from '../actor';

export type AuditEvent = components['schemas']['AuditEvent'];
type AuditResourceType = components['schemas']['AuditResourceType'];

export interface AuditEntry {
  action: string;
  resourceType: AuditResourceType;
  resourceId: string;
  before: object | null;
  after: object | null;
}

/** Records one change; call it in the transaction that makes the change. */
export async function recordAudit(tx: Queryable, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx.query(
    `INSERT INTO audit_events (id, actor_id, actor_name, channel, action, resource_type, resource_id, before, after, request_id, actor_kind, actor_subject)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12)`,
    [
      newId('aud'),
      actor.id,
      actor.name,
      actor.channel,
      entry.action,
      entry.resourceType,
      entry.resourceId,
      JSON.stringify(entry.before),
      JSON.stringify(entry.after),
      actor.requestId,
      actor.kind,
      actor.subject ?? null,
    ],
  );
}

interface AuditRow {
  seq: string;
  xact: string;
  id: string;
  at: Date;
  actor_id: string | null;
  actor_name: string;
  actor_kind: 'partner' | 'operator' | 'system';
  actor_subject: string | null;
  channel: AuditEvent['channel'];
  action: string;
  resource_type: AuditResourceType;
  resource_id: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string | null;
}

export interface AuditFilters {
  resourceType?: AuditResourceType;
  resourceId?: string;
  action?: string;
  actorId?: string;
  from?: string;
  to?: string;
}

export async function listAuditEvents(db: Queryable, actor: Actor, filters: AuditFilters, page: PageInput): Promise<SettledPage<AuditEvent>> {
  return pageOfSettledRows(
    db,
    'audit_events',
    [
      ['resource_type = ?', filters.resourceType],
      ['resource_id = ?', filters.resourceId],
      ['action = ?', filters.action],
      ['actor_id = ?', filters.actorId],
      ['at >= ?', filters.from],
      ['at < ?', filters.to],
    ],
    page,
    (row: AuditRow) => ({
      id: row.id,
      at: row.at.toISOString(),
      actor: { id: row.actor_id, name: row.actor_name, kind: row.actor_kind, subject: row.actor_subject },
      channel: row.channel,
      action: row.action,
      resourceType: row.resource_type,
      resourceId: row.resource_id,
      before: row.before,
      after: row.after,
      requestId: row.request_id,
    }),
  );
}
