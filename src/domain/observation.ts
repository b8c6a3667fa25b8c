/** What the domain reports as it works, for the metrics (src/metrics/), on typed channels (src/db/observation.ts). */
import { eventChannel } from '../db/observation';
import type { ErrorCodeName } from './app-error';

/** How a money-moving request under an Idempotency-Key ended. */
export type MoneyRequestOutcome =
  /** The work ran and committed with its key. */
  | { kind: 'completed' }
  /** The work was refused (a 4xx business rule): the refusal is stored under the key. */
  | { kind: 'refused'; code: ErrorCodeName }
  /** A system failure (database busy or lost, a bug): nothing stored, a retry runs it again. */
  | { kind: 'failed' }
  /** The key's stored answer (an operation or a refusal) replayed. */
  | { kind: 'replayed' }
  /** Refused 409: a request with the key is still in flight. */
  | { kind: 'key-in-flight' }
  /** Refused 422: the key was first used for another request. */
  | { kind: 'key-reused' };

/** A money-moving request answered; `operation` is the contract's operationId (createPayment, executeOrder...). */
export const moneyRequestAnswered = eventChannel<{ operation: string } & MoneyRequestOutcome>('cynod:domain:money-request-answered');

/** A webhook delivery attempt ended (src/domain/webhooks/dispatcher.ts). */
export const webhookAttempted = eventChannel<{ outcome: 'succeeded' | 'retrying' | 'failed' | 'gone'; latencyMs: number }>('cynod:domain:webhook-attempted');
