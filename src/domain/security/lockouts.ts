/**
 * Failed-authentication counts as an operator sees them: which client addresses and
 * consumer-keys are locked out or counting failures, and clearing them (a new user who
 * mistyped a secret ten times locks 127.0.0.1 out for AUTH_FAILURE_WINDOW_SECONDS). The counts
 * live in `rate_counters` under `fail-address:<address or IPv6 /64>` and `fail-key:<hash>`.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Database, Queryable } from '../../db/database';
import type { Actor } from '../actor';
import { addressBucketOf, plainAddress } from '../ip-ranges';
import { recordSecurityEvent } from './security-events';
import { estimate, retryAfterSeconds } from './sliding-window';

/** The bucket of failures from an address (IPv6 counted by /64). */
export const addressFailureBucket = (address: string | null) => `fail-address:${addressBucketOf(address)}`;

/** The bucket of failures for a consumer-key: never the offered key itself (it could be a secret pasted in the wrong field). */
export const keyFailureBucket = (key: string) => `fail-key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;

/** The failure limit and window the server counts with (AUTH_FAILURE_LIMIT, AUTH_FAILURE_WINDOW_SECONDS). */
export interface FailureSettings {
  authFailureLimit: number;
  authFailureWindowSeconds: number;
}

/** One address or consumer-key with failed authentications still counted. */
export interface Lockout {
  kind: 'address' | 'consumer-key';
  /** The address (or IPv6 /64), the consumer-key of a known partner, or the key's hash. */
  subject: string;
  partnerId: string | null;
  /** The sliding count of failures in the last window. */
  failures: number;
  locked: boolean;
  /** When a locked subject is accepted again; null when not locked. */
  lockedUntil: Date | null;
  /** When every failure is forgotten. */
  fadesAt: Date;
}

interface CounterRow {
  bucket: string;
  window_start: string;
  hits: number;
  expires_at: Date;
  partner_id: string | null;
  consumer_key: string | null;
}

const FAILURE_ROWS_SQL = `
SELECT r.bucket, r.window_start::text AS window_start, r.hits, r.expires_at, p.id AS partner_id, p.consumer_key
  FROM rate_counters r
  LEFT JOIN partners p ON r.bucket LIKE 'fail-key:%'
    AND r.bucket = 'fail-key:' || left(encode(sha256(convert_to(p.consumer_key, 'UTF8')), 'hex'), 32)
 WHERE r.bucket LIKE 'fail-%' AND r.expires_at > now()
 ORDER BY r.bucket, r.window_start`;

/** The addresses and consumer-keys counting failures, locked ones first. */
export async function listLockouts(db: Queryable, actor: Actor, settings: FailureSettings, now = Date.now()): Promise<Lockout[]> {
  void actor;
  const window = settings.authFailureWindowSeconds;
  const seconds = now / 1000;
  const windowStart = Math.floor(seconds / window) * window;
  const buckets = new Map<string, CounterRow[]>();
  for (const row of await db.query<CounterRow>(FAILURE_ROWS_SQL)) buckets.set(row.bucket, [...(buckets.get(row.bucket) ?? []), row]);
  const lockouts: Lockout[] = [];
  for (const [bucket, rows] of buckets) {
    const hitsOf = (start: number) => rows.find((row) => Number(row.window_start) === start)?.hits ?? 0;
    const count = { windowStart, current: hitsOf(windowStart), previous: hitsOf(windowStart - window), elapsed: seconds - windowStart, window };
    const failures = estimate(count);
    if (failures <= 0) continue;
    const locked = failures >= settings.authFailureLimit;
    const isAddress = bucket.startsWith('fail-address:');
    const known = rows.find((row) => row.consumer_key !== null);
    lockouts.push({
      kind: isAddress ? 'address' : 'consumer-key',
      subject: isAddress ? bucket.slice('fail-address:'.length) : (known?.consumer_key ?? `unknown key (${bucket.slice('fail-key:'.length)})`),
      partnerId: known?.partner_id ?? null,
      failures: Math.round(failures * 10) / 10,
      locked,
      lockedUntil: locked ? new Date(now + retryAfterSeconds(count, settings.authFailureLimit) * 1000) : null,
      fadesAt: new Date(Math.max(...rows.map((row) => row.expires_at.getTime()))),
    });
  }
  return lockouts.sort((a, b) => Number(b.locked) - Number(a.locked) || b.failures - a.failures);
}

/**
 * Forgets the failures of one address or consumer-key, or of all when `target` is absent,
 * and records it as a security event. Returns how many addresses and keys were cleared.
 */
export async function clearLockouts(db: Database, actor: Actor, target?: string): Promise<number> {
  const address = target !== undefined && isIP(target) ? plainAddress(target) : null;
  const bucket = target === undefined ? null : address ? addressFailureBucket(address) : keyFailureBucket(target);
  return db.transaction(async (tx) => {
    const cleared = await tx.query<{ bucket: string }>(
      `DELETE FROM rate_counters WHERE bucket LIKE 'fail-%' AND ($1::text IS NULL OR bucket = $1) RETURNING bucket`,
      [bucket],
    );
    const count = new Set(cleared.map((row) => row.bucket)).size;
    if (count === 0) return 0;
    const partner = target !== undefined && !address ? await tx.query<{ id: string }>('SELECT id FROM partners WHERE consumer_key = $1', [target]) : [];
    await recordSecurityEvent(
      tx,
      { channel: actor.channel, address, requestId: actor.requestId },
      { type: 'auth.lockout-cleared', partnerId: partner[0]?.id ?? null, actorId: actor.id },
    );
    return count;
  });
}
