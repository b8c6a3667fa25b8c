/**
 * CORS for the exact origins of CORS_ORIGINS; with none configured it adds nothing at all.
 * Preflights (OPTIONS with Access-Control-Request-Method) from an allowed origin are answered
 * 204 here, before the validator (which answers 405 to undocumented methods); preflights
 * from other origins go on and get that 405 without any Access-Control-* header. The allowed
 * and exposed headers are the contract's (generated/operations.ts), never a hand-kept list.
 */
import type { RequestHandler } from 'express';
import { operationTable, requestHeaderNames, responseHeaderNames } from '../../generated/operations';

/**
 * Request headers every operation may carry that OpenAPI does not declare as parameters:
 * `Authorization` (securitySchemes) and `Content-Type` (requestBody) are ignored as header
 * parameters by OpenAPI 3.0; `X-Request-Id` is honoured on every request (request-context.ts).
 */
const IMPLICIT_REQUEST_HEADERS = ['Authorization', 'Content-Type', 'X-Request-Id'];
/** CORS-safelisted response headers (Fetch standard): browsers expose them without being told. */
const SAFELISTED_RESPONSE_HEADERS = new Set(['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma']);

/** The header names a contract declares: request header parameters and response headers. */
export interface ContractHeaders {
  requestHeaders: readonly string[];
  responseHeaders: readonly string[];
}

const uniqueByLowerCase = (names: readonly string[]) => [...new Map(names.map((name) => [name.toLowerCase(), name])).values()];

/** Access-Control-Allow-Headers and Access-Control-Expose-Headers values for a contract's headers. */
export function corsHeaderLists(contract: ContractHeaders): { allow: string; expose: string } {
  return {
    allow: uniqueByLowerCase([...IMPLICIT_REQUEST_HEADERS, ...contract.requestHeaders]).join(', '),
    expose: uniqueByLowerCase(contract.responseHeaders.filter((name) => !SAFELISTED_RESPONSE_HEADERS.has(name.toLowerCase()))).join(', '),
  };
}

/** CORS middleware; the header lists come from the generated contract unless a test plants others. */
export function cors(
  origins: readonly string[],
  contract: ContractHeaders = { requestHeaders: requestHeaderNames, responseHeaders: responseHeaderNames },
): RequestHandler {
  if (origins.length === 0) return (_req, _res, next) => next();
  const allowed = new Set(origins);
  const { allow, expose } = corsHeaderLists(contract);
  const methods = [...new Set(Object.values(operationTable).map((operation) => operation.method.toUpperCase()))].sort().join(', ');
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      res.setHeader('Access-Control-Allow-Methods', methods);
      res.setHeader('Access-Control-Allow-Headers', allow);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    res.setHeader('Access-Control-Expose-Headers', expose);
    next();
  };
}
