/**
 * HTTPS only: secure requests (native TLS, or X-Forwarded-Proto https from a trusted proxy,
 * as express's req.secure reports under TRUST_PROXY) get HSTS; plain HTTP is answered 403
 * HTTPS_REQUIRED unless the client (req.ip, which honours TRUST_PROXY) is on loopback,
 * ALLOW_INSECURE_HTTP is set, or the request is a public read without credentials (probes,
 * the contract and its documentation).
 */
import type { Request, RequestHandler } from 'express';
import { plainAddress } from '../domain/ip-ranges';
import { AppError } from '../domain/app-error';

const HSTS = 'max-age=31536000; includeSubDomains';

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x. */
function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = plainAddress(address);
  return plain.startsWith('127.') || plain === '::1';
}

/** Public reads that carry no credential: load-balancer probes and the published contract. */
const PUBLIC = new Set(['/health', '/ready', '/openapi.json', '/openapi.yaml', '/docs']);
const isPublicRead = (req: Request) => (req.method === 'GET' || req.method === 'HEAD') && PUBLIC.has(req.path);

export function transportSecurity(config: { allowInsecureHttp: boolean }): RequestHandler {
  return (req, res, next) => {
    if (req.secure) {
      res.setHeader('Strict-Transport-Security', HSTS);
      return next();
    }
    if (config.allowInsecureHttp || isLoopback(req.ip) || isPublicRead(req)) return next();
    next(new AppError('HTTPS_REQUIRED', 'This API accepts plain HTTP only from loopback; call it with https://'));
  };
}
