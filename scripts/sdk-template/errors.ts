/**
 * Typed errors: every error answer of the CYNOD API is an envelope with an internal code. The
 * SDK's configurations (ClientCredentialsTokenProvider.configuration()) throw a CynodError for
 * it, a ResponseError (so `error.response` still holds the answer) that carries the envelope's
 * fields, read once:
 *
 *   try { await partner.createPartnerRecharge(...) }
 *   catch (error) {
 *     if (error instanceof CynodError && error.code === '4010') ... // insufficient funds
 *   }
 */
import type { FieldError } from './models';
import { ResponseError, type Middleware } from './runtime';

export class CynodError extends ResponseError {
  /** The HTTP status. */
  readonly status: number;
  /** The internal code, e.g. '4010' (the guide's error annex lists them all). */
  readonly code: string;
  /** The message for an end user, in the answer's language (Content-Language). */
  readonly userMessage: string;
  /** The message for the developer. */
  readonly debugMessage: string | null;
  /** The fields a 400 answer found wrong. */
  readonly errors: FieldError[];
  /** The figures of a business refusal (a limit, a balance), as the operation documents them. */
  readonly details: unknown;
  /** Quote it to CYNOD's support: it names the request in the server's logs. */
  readonly requestId: string | null;
  /** Seconds to wait before trying again (429, 503), from Retry-After. */
  readonly retryAfterSeconds: number | null;

  constructor(response: Response, envelope: Record<string, unknown>) {
    const code = typeof envelope.code === 'string' ? envelope.code : String(response.status);
    const debugMessage = typeof envelope.debugMessage === 'string' ? envelope.debugMessage : null;
    super(response, `HTTP ${response.status} code ${code}: ${debugMessage ?? envelope.message ?? response.statusText}`);
    this.status = response.status;
    this.code = code;
    this.userMessage = typeof envelope.message === 'string' ? envelope.message : '';
    this.debugMessage = debugMessage;
    this.errors = Array.isArray(envelope.errors) ? (envelope.errors as FieldError[]) : [];
    this.details = envelope.details ?? null;
    this.requestId = typeof envelope.requestId === 'string' ? envelope.requestId : response.headers.get('X-Request-Id');
    this.retryAfterSeconds = retryAfterSeconds(response);
  }
}

/** Retry-After in seconds (a number of seconds or an HTTP date), or null. */
export function retryAfterSeconds(response: Response): number | null {
  const value = response.headers.get('Retry-After');
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** Middleware throwing a CynodError for every answer outside 2xx (an envelope, or an empty one when the body is not JSON). */
export const cynodErrors: Middleware = {
  async post({ response }) {
    if (response.status >= 200 && response.status < 300) return response;
    const envelope = await response
      .clone()
      .json()
      .then((body: unknown) => (body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {}))
      .catch(() => ({}));
    throw new CynodError(response, envelope);
  },
};
