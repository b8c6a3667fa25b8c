/**
 * Retries of safe failures: a request whose answer did not come (a network error) or came as
 * 429, 502, 503 or 504 is sent again, up to `maxAttempts` times in all, after an exponential
 * backoff with full jitter (or the answer's Retry-After, when longer). Only requests that are
 * safe to send twice are retried: GET, HEAD, PUT and DELETE, and a POST carrying an
 * Idempotency-Key, sent again with the same key, so the server applies it once whatever the
 * retries. A POST to an operation that accepts an Idempotency-Key gets one (a random UUID)
 * when the caller gave none, so that it can be retried too; pass your own to retry it yourself
 * later (after a restart, say) with the same effect.
 */
import type { FetchAPI } from './runtime';
import { retryAfterSeconds } from './errors';
import { IDEMPOTENT_POSTS } from './idempotent-operations';

export interface RetryOptions {
  /** Attempts in all, the first included (default 3; 1 never retries). */
  maxAttempts?: number;
  /** The first backoff's upper bound in milliseconds, doubled at each retry (default 200). */
  baseDelayMs?: number;
  /** The longest wait between two attempts in milliseconds, Retry-After included (default 10,000). */
  maxDelayMs?: number;
  /** Waits (tests replace it). */
  sleep?: (ms: number) => Promise<void>;
  /** A random number in [0, 1) (tests replace it). */
  random?: () => number;
}

const RETRIED_STATUSES = new Set([429, 502, 503, 504]);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/** The operation's path template matched by the request's URL path (after the base path). */
function acceptsIdempotencyKey(url: string, basePath: string): boolean {
  const path = new URL(url).pathname.slice(new URL(basePath).pathname.replace(/\/+$/, '').length);
  return IDEMPOTENT_POSTS.some((pattern) => pattern.test(path));
}

function headerNamed(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

/** A fetch that retries safe failures (see above); `basePath` is the API's base URL. */
export function retryingFetch(basePath: string, options: RetryOptions = {}, fetchApi: FetchAPI = fetch): FetchAPI {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const baseDelayMs = options.baseDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  return async (input, init = {}) => {
    const url = String(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = { ...((init.headers as Record<string, string> | undefined) ?? {}) };
    if (method === 'POST' && headerNamed(headers, 'Idempotency-Key') === undefined && acceptsIdempotencyKey(url, basePath)) {
      headers['Idempotency-Key'] = crypto.randomUUID();
    }
    const safe = SAFE_METHODS.has(method) || (method === 'POST' && headerNamed(headers, 'Idempotency-Key') !== undefined);
    const request = { ...init, headers };
    for (let attempt = 1; ; attempt++) {
      const last = !safe || attempt >= maxAttempts;
      const backoff = Math.min(maxDelayMs, random() * baseDelayMs * 2 ** (attempt - 1));
      let response: Response;
      try {
        response = await fetchApi(url, request);
      } catch (error) {
        if (last) throw error;
        await sleep(backoff);
        continue;
      }
      if (last || !RETRIED_STATUSES.has(response.status)) return response;
      const told = retryAfterSeconds(response);
      await response.body?.cancel().catch(() => undefined);
      await sleep(Math.min(maxDelayMs, Math.max(backoff, (told ?? 0) * 1000)));
    }
  };
}
