/**
 * The one error mapper: validator errors, body-parser errors, application errors and unknown
 * throwables become the documented envelopes. Unknown errors are logged with the request id
 * and answered 500 "9999" with nothing about them in the body.
 */
import type { ErrorRequestHandler, Request } from 'express';
import { error as validatorErrors } from 'express-openapi-validator';
import { classifyDatabaseError, isDatabaseBusy } from '../db/errors';
import { AppError } from '../domain/app-error';
import { partnerRefusal } from '../domain/gateway/refusals';
import { sendError } from './envelope';
import { authFailureOf } from '../auth/security';

interface HttpErrorLike {
  status: number;
  message: string;
  headers?: Record<string, string>;
  errors?: { path: string; message: string }[];
}

const isValidatorError = (error: unknown): error is HttpErrorLike => Object.values(validatorErrors).some((ErrorClass) => error instanceof ErrorClass);

/** body-parser errors carry a `type`. */
function fromBodyParser(error: { type?: unknown; status?: unknown }): AppError | null {
  switch (error.type) {
    case 'entity.parse.failed':
      return new AppError('MALFORMED_JSON', 'The request body is not well-formed JSON');
    case 'entity.too.large':
    case 'parameters.too.many':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body exceeds the size limit');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'The request body encoding or charset is not supported');
    case 'entity.encoding.invalid':
      return new AppError('VALIDATION_FAILED', 'The request body is not valid UTF-8');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError('VALIDATION_FAILED', 'The request body could not be read');
    default:
      return null;
  }
}

/** A body whose Content-Encoding does not decode (body-parser passes zlib's error on with status 400 and no type). */
function isUndecodableBody(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  // zlib's errors (gzip, deflate, br, zstd) carry a string code and a numeric errno.
  const { status, type, code, errno } = error as { status?: unknown; type?: unknown; code?: unknown; errno?: unknown };
  return status === 400 && type === undefined && typeof code === 'string' && typeof errno === 'number';
}

/** The answer to a path no operation serves (also a Core path on the public listener, src/http/listeners.ts). */
export const routeNotFound = (req: Request) => new AppError('ROUTE_NOT_FOUND', `No operation at ${req.method} ${req.path}`);

/** Where the validator reports a missing Idempotency-Key header. */
const IDEMPOTENCY_KEY_PATH = '/headers/idempotency-key';

function fromValidator(error: HttpErrorLike, req: Request): AppError | null {
  switch (error.status) {
    case 400: {
      // The validator says /params/ for path parameters; the contract documents /path/.
      const errors = (error.errors ?? []).map((item) => ({ path: item.path.replace(/^\/params\//, '/path/'), message: item.message }));
      if (errors.some((item) => item.path === IDEMPOTENCY_KEY_PATH && /required/.test(item.message))) {
        return new AppError('IDEMPOTENCY_KEY_MISSING', 'This operation moves money: send an Idempotency-Key header (a new UUID per intended operation)', {
          errors,
        });
      }
      return new AppError('VALIDATION_FAILED', error.message, { errors });
    }
    case 401:
    case 403:
      return new AppError('AUTHENTICATION_REQUIRED', 'This operation requires credentials');
    case 404:
      return routeNotFound(req);
    case 405: {
      const allowed = (Object.values(error.headers ?? {})[0] ?? '')
        .toUpperCase()
        .split(/\s*,\s*/)
        .filter(Boolean);
      // HEAD is served wherever GET is (request-shape.ts).
      if (allowed.includes('GET') && !allowed.includes('HEAD')) allowed.push('HEAD');
      const allow = allowed.join(', ');
      return new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}`, {
        headers: { Allow: allow },
      });
    }
    case 413:
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body exceeds the size limit');
    case 415:
      return new AppError('UNSUPPORTED_MEDIA_TYPE', error.message);
    default:
      return null; // 500: a response that breaks the contract, answered as a system error
  }
}

function toAppError(error: unknown, req: Request): AppError | null {
  if (error instanceof AppError) return error;
  if (classifyDatabaseError(error) === 'connection_lost') {
    return new AppError('SERVICE_UNAVAILABLE', 'A dependency is unavailable; retry later', { headers: { 'Retry-After': '5' }, cause: error });
  }
  if (isDatabaseBusy(error)) {
    // Contention that outlived the transaction's retries, or a statement cut by its timeout.
    return new AppError('DATABASE_BUSY', 'The database is busy; retry later', { headers: { 'Retry-After': '1' }, cause: error });
  }
  if (isValidatorError(error)) {
    const recorded = authFailureOf(req);
    if (recorded !== undefined && recorded !== error) return toAppError(recorded, req);
    return fromValidator(error, req);
  }
  if (error && typeof error === 'object' && 'type' in error) return fromBodyParser(error);
  if (isUndecodableBody(error)) return new AppError('VALIDATION_FAILED', 'The request body does not decode with its Content-Encoding');
  return null;
}

export function errorMapper(): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    if (res.locals.sendingError) {
      // The error answer itself broke the contract: log it and answer a plain system error.
      req.log.error({ err: error }, 'error answer does not match the contract');
      return sendError(req, res, new AppError('SYSTEM_ERROR', 'Unexpected error; quote the requestId to support'));
    }
    const mapped = toAppError(error, req);
    if (mapped && mapped.status < 500) {
      req.log.debug({ code: mapped.code, debugMessage: mapped.debugMessage }, 'request refused');
      // The 3rd Party API's answers never name a ledger account (its views never do).
      return sendError(req, res, req.path.startsWith('/partner/') ? partnerRefusal(mapped) : mapped);
    }
    const answer = mapped ?? new AppError('SYSTEM_ERROR', 'Unexpected error; quote the requestId to support');
    req.log.error(
      { err: mapped?.cause ?? error },
      answer.codeName === 'SYSTEM_ERROR' ? 'unexpected error' : answer.codeName === 'DATABASE_BUSY' ? 'database busy' : 'dependency unavailable',
    );
    sendError(req, res, answer);
  };
}
