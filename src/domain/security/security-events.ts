/** Security events of the partner channel: tokens, failed authentications, partner changes. */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { pageOfSettledRows, type PageInput, type SettledPage } from '../pagination';
import { plainAddress } from '../ip-ranges';
import { newId } from '../ids';
import type { Actor } from '../actor';

export type SecurityEvent = components['schemas']['SecurityEvent'];
export type SecurityEventType = components['schemas']['SecurityEventType'];

/** Where a security event comes from: the request (or the CLI / start-up) and its client address. */
export interface EventSource {
  channel: SecurityEvent['channel'];
  address: string | null;
  requestId: string | null;
}

export interface NewSecurityEvent {
  type: SecurityEventType;
  partnerId: string | null;
  actorId: string | null;
  reason?: SecurityEvent['reason'];
  authMethod?: SecurityEvent['authMethod'];
  scopes?: string[] | null;
  /** The card concerned (a locked driver code). */
  cardId?: string | null;
}

/** Records one event; call it in the transaction of the change it describes, when there is one. */
export async function recordSecurityEvent(db: Queryable, source: EventSource, event: NewSecurityEvent): Promise<void> {
  await db.query(
    `INSERT INTO security_events (id, type, partner_id, actor_id, channel, address, request_id, reason, auth_method, scopes, card_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      newId('sev'),
      event.type,
      event.partnerId,
      event.actorId,
      source.channel,
      source.address,
      source.requestId,
      event.reason ?? null,
      event.authMethod ?? null,
      event.scopes ?? null,
      event.cardId ?? null,
    ],
  );
}

interface SecurityEventRow {
  seq: string;
  xact: string;
  id: string;
  at: Date;
  type: SecurityEventType;
  partner_id: string | null;
  actor_id: string | null;
  channel: SecurityEvent['channel'];
  address: string | null;
  request_id: string | null;
  reason: SecurityEvent['reason'];
  auth_method: SecurityEvent['authMethod'];
  scopes: string[] | null;
  card_id: string | null;
}

export interface SecurityEventFilters {
  type?: SecurityEventType;
  partnerId?: string;
  address?: string;
  from?: string;
  to?: string;
}

export async function listSecurityEvents(db: Queryable, actor: Actor, filters: SecurityEventFilters, page: PageInput): Promise<SettledPage<SecurityEvent>> {
  return pageOfSettledRows(
    db,
    'security_events',
    [
      ['type = ?', filters.type],
      ['partner_id = ?', filters.partnerId],
      ['address = ?', filters.address && plainAddress(filters.address)],
      ['at >= ?', filters.from],
      ['at < ?', filters.to],
    ],
    page,
    (row: SecurityEventRow) => ({
      id: row.id,
      at: row.at.toISOString(),
      type: row.type,
      partnerId: row.partner_id,
      actorId: row.actor_id,
      channel: row.channel,
      address: row.address,
      requestId: row.request_id,
      reason: row.reason,
      authMethod: row.auth_method,
      scopes: row.scopes,
      ...(row.card_id === null ? {} : { cardId: row.card_id }),
    }),
  );
}
