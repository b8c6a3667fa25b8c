/**
 * Request shapes refused or normalised before anything reads them: a second Authorization
 * header (Node keeps only the first, so a proxy and the API could each believe a different
 * one), HEAD, served wherever GET is (RFC 9110 §9.3.2), and query strings holding characters
 * RFC 3986 lets them hold raw (`?from=2026-01-01T00:00:00Z`).
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

/**
 * Characters RFC 3986 lets a query hold unencoded (§3.4: pchar, "/" and "?"), which the
 * validator refuses in a query value unless percent-encoded ("must be url encoded", 400): a
 * raw `:` of a date-time, `@`, `/`, `?` and the sub-delimiters other than the query's own
 * separators (`&`, `=`, `+`).
 */
const RAW_IN_QUERY = /[:@/?!$'()*,;]/gu;

/**
 * Accepts those raw characters in every query string: the query of `originalUrl`, which only
 * the validator reads raw, gets them percent-encoded. The decoded parameters (`req.query`, read
 * from `req.url`) are the same either way; the path is untouched.
 */
export const rfc3986Query: RequestHandler = (req, _res, next) => {
  const start = req.originalUrl.indexOf('?');
  if (start !== -1) {
    const query = req.originalUrl.slice(start + 1);
    const encoded = query.replace(RAW_IN_QUERY, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
    if (encoded !== query) req.originalUrl = req.originalUrl.slice(0, start + 1) + encoded;
  }
  next();
};
