/**
 * Request shapes refused or normalised before anything reads them: a second Authorization
 * header (Node keeps only the first, so a proxy and the API could each believe a different
 * one), and HEAD, served wherever GET is (RFC 9110 §9.3.2).
 */
import { isUtf8 } from 'node:buffer';
import type { RequestHandler } from 'express';
import { AppError } from '../domain/app-error';

/** Refuses a request carrying more than one Authorization header: 400 code 1009 (invalid_request at /oauth). */
export const singleAuthorization: RequestHandler = (req, _res, next) => {
  let seen = 0;
  for (let index = 0; index < req.rawHeaders.length; index += 2) {
    if (req.rawHeaders[index].toLowerCase() === 'authorization') seen += 1;
  }
  if (seen <= 1) return next();
  next(new AppError('CREDENTIALS_SENT_TWICE', 'Send exactly one Authorization header', { oauthError: 'invalid_request' }));
};

/**
 * Serves HEAD as GET: validated, routed and answered as the GET would be, with its status
 * and headers. Node's response already knows the request was HEAD and sends no body.
 */
export const headAsGet: RequestHandler = (req, _res, next) => {
  if (req.method === 'HEAD') req.method = 'GET';
  next();
};

/**
 * The body parsers' `verify`: JSON and forms are UTF-8 (RFC 8259, the forms' charset), and bytes
 * that are not are refused (400 code 2001) rather than read as U+FFFD. Runs after Content-Encoding.
 */
export function utf8Body(_req: unknown, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw Object.assign(new Error('The request body is not valid UTF-8'), { status: 400, type: 'entity.encoding.invalid' });
}
