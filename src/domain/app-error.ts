/** The one application error: a catalog code name, its HTTP status, a debug message. */
import { codeCatalog, type CodeName } from '../../generated/codes';
import type { components } from '../../generated/schema';

export type ErrorCodeName = Exclude<CodeName, 'OK' | 'TOKEN_ISSUED' | 'TOKEN_REVOKED'>;

export interface AppErrorOptions {
  /** Overrides the catalog's status (e.g. invalid_client answered 400 after body authentication). */
  status?: number;
  /** Response headers such as WWW-Authenticate, Allow or Retry-After. */
  headers?: Record<string, string>;
  /** The RFC 6749 `error` value, for answers of the /oauth endpoints. */
  oauthError?: string;
  /** Per-field problems of a validation failure. */
  errors?: { path: string; message: string }[];
  /** The figures a refusal was checked against (components.schemas.ErrorDetails). */
  details?: ErrorDetails;
  cause?: unknown;
}

export type ErrorDetails = components['schemas']['ErrorDetails'];

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly oauthError: string | undefined;
  readonly errors: { path: string; message: string }[] | undefined;
  readonly details: ErrorDetails | undefined;

  constructor(
    readonly codeName: ErrorCodeName,
    /** A technical explanation for the partner's developers: never secrets or internals. */
    readonly debugMessage: string,
    options: AppErrorOptions = {},
  ) {
    super(debugMessage, { cause: options.cause });
    this.name = 'AppError';
    this.code = codeCatalog[codeName].code;
    this.status = options.status ?? codeCatalog[codeName].status;
    this.headers = options.headers ?? {};
    this.oauthError = options.oauthError;
    this.errors = options.errors;
    this.details = options.details;
  }
}

/** A refusal (a 4xx AppError) with `label` in front of its message, its code and figures kept; anything else as it is. */
export function labelled(label: string, error: unknown): unknown {
  if (!(error instanceof AppError) || error.status >= 500) return error;
  return new AppError(error.codeName, `${label}: ${error.debugMessage}`, {
    status: error.status,
    errors: error.errors,
    details: error.details,
    headers: error.headers,
  });
}
