/** Structured JSON logs (pino). Credentials never reach a log line: headers and bodies are not logged. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'cynod-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Defence in depth should a header or body ever be logged.
    redact: {
      paths: ['authorization', 'headers.authorization', 'req.headers.authorization', 'client_secret', 'consumerSecret', 'access_token', 'password'],
      censor: '[redacted]',
    },
  });
}
