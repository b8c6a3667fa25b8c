/**
 * Client authentication with its defences, shared by the OAuth endpoints and by HTTP Basic on
 * resources, and the per-partner rate limits:
 * - failed authentications are counted per client address and per consumer-key; past half
 *   of AUTH_FAILURE_LIMIT each failure is answered later and later, and at the limit every
 *   attempt is refused (AUTH_LOCKED_OUT, 429) until the count fades. A key's lock does not
 *   apply to calls from the partner's own allow-list, so an attacker cannot lock an
 *   allow-listed partner out;
 * - the IP allow-list is checked once the client is authenticated;
 * - failures, lock-outs and issued tokens are security events.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { authenticatePartner, type Partner } from '../domain/partners/partners';
import { recordSecurityEvent, type EventSource, type SecurityEvent } from '../domain/security/security-events';
import { AppError } from '../http/app-error';
import { clientAddressOf } from '../http/request-context';
import type { BasicCredentials } from './basic';
import { addressAllowed } from './ip-allow-list';
import { estimate, RateLimiter, retryAfterSeconds, type Count } from './rate-limiter';

export type GuardSettings = Pick<Config, 'rateLimitPerMinute' | 'tokenRateLimitPerMinute' | 'authFailureLimit' | 'authFailureWindowSeconds'>;

export interface ClientAttempt {
  /** The credentials offered; null when they were malformed. */
  credentials: BasicCredentials | null;
  method: 'basic' | 'body';
  /** Answers of the OAuth endpoints carry an RFC 6749 `error`. */
  oauth: boolean;
  /** The error a failed authentication answers (invalid_client, or the Basic 401). */
  failure: () => AppError;
}

/** Longest delay added to a failed authentication's answer. */
const MAX_FAILURE_DELAY_MS = 5_000;
const RATE_WINDOW_SECONDS = 60;

/** A bucket never holds the offered key itself (it could be a secret pasted in the wrong field). */
const keyBucket = (key: string) => `fail-key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;

export const sourceOf = (req: Request): EventSource => ({ channel: 'api', address: clientAddressOf(req), requestId: req.requestId });

export class ClientGuard {
  readonly limiter: RateLimiter;

  constructor(
    readonly db: Database,
    private readonly settings: GuardSettings,
    now?: () => number,
  ) {
    this.limiter = new RateLimiter(db, now);
  }

  /** The partner the attempt authenticates, allowed at the client's address; otherwise the documented refusal. */
  async authenticate(req: Request, attempt: ClientAttempt): Promise<Partner> {
    const source = sourceOf(req);
    const buckets = [`fail-address:${source.address}`, ...(attempt.credentials ? [keyBucket(attempt.credentials.key)] : [])];
    await this.refuseWhenLockedOut(attempt, buckets, source.address);

    const outcome = attempt.credentials
      ? await authenticatePartner(this.db, attempt.credentials.key, attempt.credentials.secret)
      : ({ partner: null, partnerId: null, reason: 'malformed-credentials' } as const);
    if (!outcome.partner) {
      await this.failed(source, attempt, buckets, { partnerId: outcome.partnerId, reason: outcome.reason });
      throw attempt.failure();
    }
    const partner = outcome.partner;
    if (!addressAllowed(partner.allowedIps, source.address ?? undefined)) {
      await this.refused(req, partner, attempt.method, 'ip-not-allowed');
      throw new AppError('IP_NOT_ALLOWED', `Calls for this partner are not accepted from ${source.address ?? 'an unknown address'}`, {
        oauthError: attempt.oauth ? 'unauthorized_client' : undefined,
      });
    }
    return partner;
  }

  /** Records a refusal of an authenticated partner (outside its allow-list, Basic not allowed). */
  refused(req: Request, partner: Partner, method: 'basic' | 'body', reason: 'ip-not-allowed' | 'basic-not-allowed'): Promise<void> {
    return recordSecurityEvent(this.db, sourceOf(req), { type: 'auth.failed', partnerId: partner.id, actorId: null, reason, authMethod: method });
  }

  /** Counts a call against the partner's per-minute limit; RATE_LIMITED past it. */
  async consume(kind: 'api' | 'token', partnerId: string, oauth = false): Promise<void> {
    const limit = kind === 'api' ? this.settings.rateLimitPerMinute : this.settings.tokenRateLimitPerMinute;
    if (limit === 0) return;
    const count = await this.limiter.hit(`${kind}:${partnerId}`, RATE_WINDOW_SECONDS);
    if (estimate(count) <= limit) return;
    const retryAfter = retryAfterSeconds(count, limit);
    throw new AppError('RATE_LIMITED', `Rate limit of ${limit} ${kind === 'api' ? 'calls' : 'token requests'} per minute exceeded; retry after ${retryAfter} seconds`, {
      headers: { 'Retry-After': String(retryAfter) },
      oauthError: oauth ? 'temporarily_unavailable' : undefined,
    });
  }

  private async refuseWhenLockedOut(attempt: ClientAttempt, buckets: string[], address: string | null): Promise<void> {
    const limit = this.settings.authFailureLimit;
    const counts = await this.limiter.peek(buckets, this.settings.authFailureWindowSeconds);
    let locked = [...counts.entries()].filter(([, count]) => estimate(count) >= limit);
    if (locked.some(([bucket]) => bucket.startsWith('fail-key:')) && attempt.credentials && (await this.fromOwnAllowList(attempt.credentials.key, address))) {
      locked = locked.filter(([bucket]) => !bucket.startsWith('fail-key:'));
    }
    if (locked.length === 0) return;
    const retryAfter = Math.max(...locked.map(([, count]) => retryAfterSeconds(count, limit)));
    throw new AppError('AUTH_LOCKED_OUT', `Too many failed authentications from this address or for this consumer-key; retry after ${retryAfter} seconds`, {
      headers: { 'Retry-After': String(retryAfter) },
      oauthError: attempt.oauth ? 'temporarily_unavailable' : undefined,
    });
  }

  /** Whether the key's partner has an allow-list and the address is in it. */
  private async fromOwnAllowList(key: string, address: string | null): Promise<boolean> {
    const [row] = await this.db.query<{ allowed_ips: string[] }>('SELECT allowed_ips FROM partners WHERE consumer_key = $1', [key]);
    return !!row && row.allowed_ips.length > 0 && addressAllowed(row.allowed_ips, address ?? undefined);
  }

  private async failed(source: EventSource, attempt: ClientAttempt, buckets: string[], event: { partnerId: string | null; reason: SecurityEvent['reason'] }): Promise<void> {
    const limit = this.settings.authFailureLimit;
    const counts: Count[] = await Promise.all(buckets.map((bucket) => this.limiter.hit(bucket, this.settings.authFailureWindowSeconds)));
    await recordSecurityEvent(this.db, source, { type: 'auth.failed', partnerId: event.partnerId, actorId: null, reason: event.reason, authMethod: attempt.method });
    const worst = Math.max(...counts.map(estimate));
    // Recorded once, by the failure that reaches the limit.
    if (worst >= limit && worst - 1 < limit) {
      await recordSecurityEvent(this.db, source, { type: 'auth.locked-out', partnerId: event.partnerId, actorId: null, reason: 'too-many-failures', authMethod: attempt.method });
    }
    const half = Math.floor(limit / 2);
    if (worst > half) await new Promise((resolve) => setTimeout(resolve, Math.min((worst - half) * 500, MAX_FAILURE_DELAY_MS)));
  }
}
