/**
 * CORS for the exact origins of CORS_ORIGINS; with none configured it adds nothing at all.
 * Preflights (OPTIONS with Access-Control-Request-Method) from an allowed origin are answered
 * 204 here, before the validator (which answers 405 to undocumented methods); preflights
 * from other origins go on and get that 405 without any Access-Control-* header.
 */
import type { RequestHandler } from 'express';
import { operationTable } from '../../generated/operations';

const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Request-Id';
const EXPOSED_HEADERS = 'X-Request-Id, Retry-After, WWW-Authenticate, Cynod-Auth-Advice';

export function cors(origins: readonly string[]): RequestHandler {
  if (origins.length === 0) return (_req, _res, next) => next();
  const allowed = new Set(origins);
  const methods = [...new Set(Object.values(operationTable).map((operation) => operation.method.toUpperCase()))].sort().join(', ');
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      res.setHeader('Access-Control-Allow-Methods', methods);
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    next();
  };
}
