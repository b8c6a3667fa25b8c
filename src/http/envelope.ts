/** The one place that writes envelopes: success answers and the three error shapes. */
import type { Request, Response } from 'express';
import { codeCatalog, type CodeName } from '../../generated/codes';
import type { AppError } from '../domain/app-error';
import { operationIdOf } from './request-context';

export type Language = 'fr' | 'en';

/** French by default; English when the request prefers it (`Accept-Language: en`). */
export function languageOf(req: Request): Language {
  return req.acceptsLanguages('fr', 'en') === 'en' ? 'en' : 'fr';
}

export const messageFor = (name: CodeName, language: Language) => codeCatalog[name].message[language];

/** Sends `{ success: true, code, message, data }`; the response validator checks it. */
export function sendSuccess(req: Request, res: Response, data: unknown): void {
  res.status(200).json({ success: true, code: codeCatalog.OK.code, message: messageFor('OK', languageOf(req)), data });
}

const OAUTH_ERROR_BY_STATUS: Record<number, string> = { 401: 'invalid_client', 500: 'server_error', 503: 'temporarily_unavailable' };

/** The body of an error answer: system envelope for 5xx, functional envelope otherwise, RFC-shaped on /oauth. */
function errorBody(req: Request, error: AppError): Record<string, unknown> {
  const message = messageFor(error.codeName, languageOf(req));
  const envelope: Record<string, unknown> =
    error.status >= 500
      ? { success: false, code: error.code, message, debugMessage: error.debugMessage, requestId: req.requestId }
      : {
          success: false,
          code: error.code,
          message,
          debugMessage: error.debugMessage,
          moreInfo: null,
          requestId: req.requestId,
          ...(error.errors ? { errors: error.errors } : {}),
          ...(error.details ? { details: error.details } : {}),
        };
  if (!req.path.startsWith('/oauth/')) return envelope;
  const oauthError = error.oauthError ?? OAUTH_ERROR_BY_STATUS[error.status] ?? 'invalid_request';
  return { error: oauthError, error_description: error.debugMessage, ...envelope, moreInfo: null };
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
  const body = errorBody(req, error);
  if (operationIdOf(req) && !res.locals.sendingError) {
    res.locals.sendingError = true;
    res.json(body);
  } else {
    res.type('application/json').send(JSON.stringify(body));
  }
}
