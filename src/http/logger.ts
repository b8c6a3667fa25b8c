/**
 * Structured JSON logs (pino): one line per request with request id, partner id, operation
 * id, status and latency. Headers and bodies are never logged, so credentials and card numbers
 * do not reach a log line; the redaction below is defence in depth should one ever be logged.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Fields that hold credentials or card numbers, wherever they appear (one level deep). */
const SECRET_FIELDS = ['authorization', 'client_secret', 'clientSecret', 'consumerSecret', 'access_token', 'accessToken', 'password', 'cardNumber', 'number'];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'cynod-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [...SECRET_FIELDS, ...SECRET_FIELDS.map((field) => `*.${field}`), 'req.headers.authorization', 'req.headers.cookie'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
