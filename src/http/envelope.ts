/** The one place that writes envelopes: success answers and the three error shapes. */
import type { Request, Response } from 'express';
import { codeCatalog } from '../../generated/codes';
import type { AppError } from '../domain/app-error';
import { operationIdOf } from '../request/request';
import { answerIn } from '../request/language';
import { messageFor } from '../domain/messages';

/** The code's entry in the error annex of the documentation page (scripts/render-docs.ts gives each code that anchor). */
const moreInfoOf = (code: string) => `/docs#error-${code}`;

/** Sends `{ success: true, code, message, data }`; the response validator checks it. */
export function sendSuccess(req: Request, res: Response, data: unknown): void {
  res.status(200).json({ success: true, code: codeCatalog.OK.code, message: messageFor('OK', answerIn(req, res)), data });
}

const OAUTH_ERROR_BY_STATUS: Record<number, string> = { 401: 'invalid_client', 500: 'server_error', 503: 'temporarily_unavailable' };

/** The body of an error answer: system envelope for 5xx, functional envelope otherwise, RFC-shaped on /oauth. */
function errorBody(req: Request, res: Response, error: AppError): Record<string, unknown> {
  const message = messageFor(error.codeName, answerIn(req, res));
  const envelope: Record<string, unknown> =
    error.status >= 500
      ? { success: false, code: error.code, message, debugMessage: error.debugMessage, requestId: req.requestId }
      : {
          success: false,
          code: error.code,
          message,
          debugMessage: error.debugMessage,
          moreInfo: moreInfoOf(error.code),
          requestId: req.requestId,
          ...(error.errors ? { errors: error.errors } : {}),
          ...(error.details ? { details: error.details } : {}),
        };
  if (!req.path.startsWith('/oauth/')) return envelope;
  const oauthError = error.oauthError ?? OAUTH_ERROR_BY_STATUS[error.status] ?? 'invalid_request';
  return { error: oauthError, error_description: error.debugMessage, ...envelope, moreInfo: moreInfoOf(error.code) };
}

/**
 * Sends an error. On a request the validator matched to an operation, the body goes through
 * res.json so that the response validator checks it against the documented error response;
 * elsewhere (unknown routes, the raw /oauth routes, or when that check itself failed) it is
 * serialised directly.
 */
export function sendError(req: Request, res: Response, error: AppError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  if (req.path.startsWith('/oauth/')) {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
  }
  res.status(error.status);
  const body = errorBody(req, res, error);
  if (operationIdOf(req) && !res.locals.sendingError) {
    res.locals.sendingError = true;
    res.json(body);
  } else {
    res.type('application/json').send(JSON.stringify(body));
  }
}
