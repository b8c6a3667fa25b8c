/**
 * Request shapes refused or normalised before anything reads them: a second Authorization
 * header (Node keeps only the first, so a proxy and the API could each believe a different
 * one), and HEAD, served wherever GET is (RFC 9110 §9.3.2).
 */
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
