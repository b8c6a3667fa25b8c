/** Request ids, per-request loggers and the access log line. */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Credential } from '../auth/credential';
import type { Actor } from '../domain/actor';
import { operationIdOf } from '../request/request';
import type { Logger } from './logger';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request's id: the caller's valid X-Request-Id or a new one. */
      requestId: string;
      /** A logger whose lines carry the request id. */
      log: Logger;
      /** The authenticated caller, on secured operations. */
      credential?: Credential;
      /** The operator calling with an operator token (src/auth/operator-tokens.ts), on Core operations. */
      operator?: Actor;
    }
  }
}

const VALID_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Gives every request an id (echoed in X-Request-Id) and logs one line when it ends. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const offered = req.headers['x-request-id'];
    req.requestId = typeof offered === 'string' && VALID_REQUEST_ID.test(offered) ? offered : `req_${randomUUID().replace(/-/g, '')}`;
    res.setHeader('X-Request-Id', req.requestId);
    // A silent logger writes nothing: skip the per-request child logger and the access-log
    // listener, which are measurable under load (see npm run bench).
    if (logger.level === 'silent') {
      req.log = logger;
      return next();
    }
    req.log = logger.child({ requestId: req.requestId });
    if (!req.log.isLevelEnabled('info')) return next();
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      req.log.info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          latencyMs: Number(process.hrtime.bigint() - started) / 1e6,
          partnerId: req.credential?.partnerId,
          operatorId: req.operator?.id ?? undefined,
          operationId: operationIdOf(req),
        },
        'request',
      );
    });
    next();
  };
}
