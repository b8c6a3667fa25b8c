/**
 * Client authentication with its defences, shared by the OAuth endpoints and by HTTP Basic on
 * resources, and the per-partner rate limits:
 * - failed authentications are counted per client address (IPv6 by /64) and per
 *   consumer-key; successful ones are not counted at all, so a partner's burst of right
 *   credentials from one address is never refused. Past half of AUTH_FAILURE_LIMIT each
 *   failure is answered later and later. An address at the limit is locked: every attempt
 *   from it is refused (AUTH_LOCKED_OUT, 429) before its secret is looked at, until the count
 *   fades. A key at the limit gets AUTH_LOCKED_OUT for every wrong secret, but its right
 *   secret still works: secrets are 256-bit random, so refusing it would protect nothing and
 *   would let anyone lock a partner out by failing with its key. Attempts already in flight
 *   when the limit is reached are still checked (at most one per open connection);
 * - the IP allow-list is checked once the client is authenticated, then the client certificate
 *   of a partner required to use mutual TLS (src/auth/client-certificates.ts);
 * - failures, lock-outs and issued tokens are security events.
 */
import type { Request } from 'express';
import type { Database } from '../db/database';
import { authenticatePartner, type Partner } from './identity';
import { recordSecurityEvent, type EventSource, type SecurityEvent } from '../domain/security/security-events';
import { AppError } from '../domain/app-error';
import { modeOfConsumerKey, type DeploymentMode } from '../domain/deployment';
import { clientAddressOf } from '../request/request';
import type { BasicCredentials } from './basic';
import { addressAllowed } from '../domain/ip-ranges';
import { addressFailureBucket, keyFailureBucket } from '../domain/security/lockouts';
import { ipNotAllowed } from './ip-allow-list';
import { certificateOf, certificateRefused, type CertificateRefusal } from './client-certificates';
import { RateLimiter } from '../domain/security/rate-counters';
import { estimate, retryAfterSeconds, type Count } from '../domain/security/sliding-window';

export interface GuardSettings {
  /** The deployment's mode: a consumer-key of the other mode is refused before its secret is looked at. */
  mode: DeploymentMode;
  rateLimitPerMinute: number;
  tokenRateLimitPerMinute: number;
  authFailureLimit: number;
  authFailureWindowSeconds: number;
}

export interface ClientAttempt {
  /** The credentials offered; null when they were malformed. */
  credentials: BasicCredentials | null;
  method: 'basic' | 'body';
  /** Answers of the OAuth endpoints carry an RFC 6749 `error`. */
  oauth: boolean;
  /** The error a failed authentication answers (invalid_client, or the Basic 401). */
  failure: () => AppError;
}

/** An authenticated partner, with the certificate it presented when it must use mutual TLS (null otherwise). */
export type AuthenticatedPartner = Partner & { certificate: string | null };

/** Longest delay added to a failed authentication's answer. */
const MAX_FAILURE_DELAY_MS = 5_000;
const RATE_WINDOW_SECONDS = 60;

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

  /** The partner the attempt authenticates, allowed at the client's address and with its certificate; otherwise the documented refusal. */
  async authenticate(req: Request, attempt: ClientAttempt): Promise<AuthenticatedPartner> {
    const source = sourceOf(req);
    const window = this.settings.authFailureWindowSeconds;
    const addressBucket = addressFailureBucket(source.address);
    const addressCount = await this.limiter.peek(addressBucket, window);
    if (estimate(addressCount) >= this.settings.authFailureLimit) throw this.lockedOut(addressCount, attempt.oauth, source.address ?? '<address>');
    if (attempt.credentials) this.checkEnvironment(attempt.credentials.key, attempt);

    const outcome = attempt.credentials
      ? await authenticatePartner(this.db, attempt.credentials.key, attempt.credentials.secret)
      : ({ partner: null, partnerId: null, reason: 'malformed-credentials' } as const);
    if (outcome.partner) return this.allowedAt(req, outcome.partner, attempt);

    const [address, key] = await Promise.all([
      this.limiter.hit(addressBucket, window),
      attempt.credentials ? this.limiter.hit(keyFailureBucket(attempt.credentials.key), window) : null,
    ]);
    await this.failed(source, attempt, { address, key }, { partnerId: outcome.partnerId, reason: outcome.reason });
    if (key && estimate(key) > this.settings.authFailureLimit) throw this.lockedOut(key, attempt.oauth, '<consumer-key>');
    throw attempt.failure();
  }

  /**
   * A consumer-key of the other environment (ck_test_ on a live server, a live key on a sandbox)
   * is refused with its own code: it names no partner here, and the caller learns at once that it
   * is talking to the wrong server (not counted as a failure: the key's prefix is public).
   */
  private checkEnvironment(key: string, attempt: ClientAttempt): void {
    const keyMode = modeOfConsumerKey(key);
    if (keyMode === this.settings.mode) return;
    const { status, headers } = attempt.failure();
    throw keyMode === 'sandbox'
      ? new AppError(
          'SANDBOX_KEY_ON_LIVE',
          'This consumer-key (ck_test_...) is a sandbox credential; this server is live. Call the sandbox deployment with it',
          {
            status,
            headers,
            oauthError: attempt.oauth ? 'invalid_client' : undefined,
          },
        )
      : new AppError(
          'LIVE_KEY_ON_SANDBOX',
          'This consumer-key is a live credential; this server is a sandbox, which accepts only sandbox credentials (ck_test_...)',
          {
            status,
            headers,
            oauthError: attempt.oauth ? 'invalid_client' : undefined,
          },
        );
  }

  private async allowedAt(req: Request, partner: Partner, attempt: ClientAttempt): Promise<AuthenticatedPartner> {
    const address = clientAddressOf(req);
    if (!addressAllowed(partner.allowedIps, address ?? undefined)) {
      await this.refused(req, partner, attempt.method, 'ip-not-allowed');
      throw ipNotAllowed(address, attempt.oauth);
    }
    const certificate = certificateOf(req, partner.certificateThumbprints);
    if ('refusal' in certificate) {
      await this.refused(req, partner, attempt.method, certificate.refusal);
      throw certificateRefused(req, certificate.refusal, attempt.oauth);
    }
    return { ...partner, certificate: certificate.thumbprint };
  }

  /** Records a refusal of an authenticated partner (outside its allow-list, without its certificate, Basic not allowed). */
  refused(req: Request, partner: Partner, method: 'basic' | 'body', reason: 'ip-not-allowed' | 'basic-not-allowed' | CertificateRefusal): Promise<void> {
    return recordSecurityEvent(this.db, sourceOf(req), { type: 'auth.failed', partnerId: partner.id, actorId: null, reason, authMethod: method });
  }

  /** Counts a call against the partner's per-minute limit; RATE_LIMITED past it. */
  async consume(kind: 'api' | 'token', partnerId: string, oauth = false): Promise<void> {
    const limit = kind === 'api' ? this.settings.rateLimitPerMinute : this.settings.tokenRateLimitPerMinute;
    if (limit === 0) return;
    const count = await this.limiter.hit(`${kind}:${partnerId}`, RATE_WINDOW_SECONDS);
    if (estimate(count) <= limit) return;
    const retryAfter = retryAfterSeconds(count, limit);
    throw new AppError(
      'RATE_LIMITED',
      `Rate limit of ${limit} ${kind === 'api' ? 'calls' : 'token requests'} per minute exceeded; retry after ${retryAfter} seconds`,
      {
        headers: { 'Retry-After': String(retryAfter) },
        oauthError: oauth ? 'temporarily_unavailable' : undefined,
      },
    );
  }

  /** The 429 says how to recover: wait, or have an operator clear the count (`subject`: what to clear). */
  private lockedOut(count: Count, oauth: boolean, subject: string): AppError {
    const retryAfter = retryAfterSeconds(count, this.settings.authFailureLimit);
    return new AppError(
      'AUTH_LOCKED_OUT',
      `Too many failed authentications from this address or for this consumer-key; retry after ${retryAfter} seconds (Retry-After), or an operator runs, beside the running server: npm run cli -- lockouts clear ${subject} (node dist/cli.js lockouts clear ${subject} from a build)`,
      {
        headers: { 'Retry-After': String(retryAfter) },
        oauthError: oauth ? 'temporarily_unavailable' : undefined,
      },
    );
  }

  private async failed(
    source: EventSource,
    attempt: ClientAttempt,
    counts: { address: Count; key: Count | null },
    event: { partnerId: string | null; reason: SecurityEvent['reason'] },
  ): Promise<void> {
    await recordSecurityEvent(this.db, source, {
      type: 'auth.failed',
      partnerId: event.partnerId,
      actorId: null,
      reason: event.reason,
      authMethod: attempt.method,
    });
    // A lock-out is recorded once, by the failure that reaches the limit: an address lock names no partner.
    const limit = this.settings.authFailureLimit;
    for (const [count, partnerId] of [
      [counts.address, null],
      [counts.key, event.partnerId],
    ] as const) {
      if (count && estimate(count) >= limit && estimate(count) - 1 < limit) {
        await recordSecurityEvent(this.db, source, {
          type: 'auth.locked-out',
          partnerId,
          actorId: null,
          reason: 'too-many-failures',
          authMethod: attempt.method,
        });
      }
    }
    const worst = Math.max(estimate(counts.address), counts.key ? estimate(counts.key) : 0);
    const half = Math.floor(limit / 2);
    if (worst > half) await new Promise((resolve) => setTimeout(resolve, Math.min((worst - half) * 500, MAX_FAILURE_DELAY_MS)));
  }
}
