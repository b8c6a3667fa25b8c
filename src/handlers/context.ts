/** What every handler receives besides its validated input. */
import type { Credential } from '../auth/credential';
import type { Database } from '../db/database';
import type { Actor } from '../domain/actor';
import { AppError } from '../domain/app-error';
import type { CardVault } from '../domain/cards/card-numbers';
import { requestFingerprint, type IdempotentRequest } from '../domain/idempotency';

/** The scope that lets a caller see a card's full number once, in the answer that creates the card. */
export const REVEAL_SCOPE = 'core:cards.reveal';

export interface HandlerContext {
  db: Database;
  /** Who is calling, built once from the verified credential; absent on public operations. */
  actor: Actor | undefined;
  /** The verified credential itself (method, expiry); absent on public operations. */
  credential: Credential | undefined;
  /** Hashes, seals and masks card numbers. */
  cardVault: CardVault;
  /** Marks the answer as the replay of an earlier request with the same Idempotency-Key. */
  markReplayed: () => void;
  /** True once the process is shutting down. */
  draining: () => boolean;
}

/** The actor of a secured operation (the security handlers guarantee it is there). */
export function actorOf(context: HandlerContext): Actor {
  if (!context.actor) throw new AppError('AUTHENTICATION_REQUIRED', 'This operation requires credentials');
  return context.actor;
}

/** The credential of a secured operation. */
export function credentialOf(context: HandlerContext): Credential {
  if (!context.credential) throw new AppError('AUTHENTICATION_REQUIRED', 'This operation requires credentials');
  return context.credential;
}

/**
 * Runs a money-moving use-case under the request's Idempotency-Key (the validator guarantees
 * the header) and marks a replayed answer.
 */
export async function moveMoney<T>(
  context: HandlerContext,
  operation: string,
  input: { header: { 'Idempotency-Key': string }; path?: unknown; body: unknown },
  run: (request: IdempotentRequest) => Promise<{ data: T; replayed: boolean }>,
): Promise<T> {
  const { data, replayed } = await run({ key: input.header['Idempotency-Key'], operation, fingerprint: requestFingerprint(operation, input.path, input.body) });
  if (replayed) context.markReplayed();
  return data;
}
