/**
 * Structured JSON logs (pino): one line per request with request id, partner id, operation
 * id, status and latency. Headers and bodies are never logged, so credentials and card numbers
 * do not reach a log line; the redaction below is defence in depth should one ever be logged.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { loggableDatabaseError } from '../db/errors';

export type { Logger };

/**
 * Fields that hold credentials, card numbers or driver codes, wherever they appear (one level
 * deep). A driver code travels as `driverCode` only: `code` is the catalog code of every
 * answer, which the logs keep.
 */
const SECRET_FIELDS = [
  'authorization',
  'client_secret',
  'clientSecret',
  'consumerSecret',
  'access_token',
  'accessToken',
  'password',
  'cardNumber',
  'number',
  'driverCode',
];

/**
 * Errors as log lines: the standard serializer, except that a database error (or one caused
 * by it) is logged by its class, SQLSTATE and statement name only: PostgreSQL quotes offending
 * values in messages and details, and drivers keep the parameters (sealed card numbers, hashes).
 */
function loggableError(error: unknown): unknown {
  const database = loggableDatabaseError(error);
  if (database) return database;
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  const cause = (error as { cause?: unknown })?.cause;
  if (cause !== undefined) {
    const loggedCause = loggableDatabaseError(cause);
    if (loggedCause) {
      serialized.cause = loggedCause;
      // The standard serializer appends the cause's message to the stack: cut it back off.
      if (typeof serialized.stack === 'string') serialized.stack = serialized.stack.split('\ncaused by: ')[0];
      if (typeof serialized.message === 'string') serialized.message = (error as Error).message;
    }
  }
  return serialized;
}

/** A logged path with every run of 13 to 19 digits (a card number a client put in a URL) redacted. */
const loggablePath = (path: unknown) => (typeof path === 'string' ? path.replace(/[0-9]{13,19}/gu, '[redacted]') : path);

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'cynod-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: loggableError, path: loggablePath },
      redact: {
        paths: [...SECRET_FIELDS, ...SECRET_FIELDS.map((field) => `*.${field}`), 'req.headers.authorization', 'req.headers.cookie'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
