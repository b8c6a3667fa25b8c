/**
 * Port authorisations: with an internal listener (INTERNAL_PORT), the Core API and /metrics
 * are served there only. On the public listener they do not exist: answered 404 exactly as an
 * unknown path, after the same middleware and before anything that could tell them apart.
 */
import type { IncomingMessage, RequestListener } from 'node:http';
import type { RequestHandler } from 'express';
import { routeNotFound } from './error-mapper';

const publicRequests = new WeakSet<IncomingMessage>();

/** The request listener of the public listener of a server that also has an internal one. */
export const publicListener =
  (app: RequestListener): RequestListener =>
  (req, res) => {
    publicRequests.add(req);
    app(req, res);
  };

/** The Core API and the metrics; percent-decoded first, so an encoded spelling cannot slip through. */
const INTERNAL_PATH = /^\/(core(\/|$)|metrics$)/;

function isInternalPath(path: string): boolean {
  try {
    return INTERNAL_PATH.test(decodeURIComponent(path));
  } catch {
    return INTERNAL_PATH.test(path); // not decodable: no route will match it either
  }
}

/** Hides the internal operations from requests that came through the public listener. */
export const internalOnly: RequestHandler = (req, _res, next) => next(publicRequests.has(req) && isInternalPath(req.path) ? routeNotFound(req) : undefined);
