/** What every handler receives besides its validated input. */
import type { Credential } from '../auth/credential';
import type { Database, Queryable } from '../db/database';
import { holdsScope, type Actor } from '../domain/actor';
import { AppError } from '../domain/app-error';
import type { CardVault } from '../domain/cards/card-numbers';
import { idempotent, requestFingerprint, type IdempotentRequest } from '../domain/idempotency';
import type { WebhookSettings } from '../domain/webhooks/settings';
import type { DeploymentMode } from '../domain/deployment';

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
  /** The settings use-cases take (from the config reader). */
  settings: { partnerHoldMaxSeconds: number; webhooks: Pick<WebhookSettings, 'allowLoopbackHttp' | 'timeoutMs'>; mode: DeploymentMode };
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

/** How a creation's answer that shows a secret once (a consumer secret, a revealed card number) is stored under its key. */
export interface SealedSecrets<T> {
  /** The answer as stored: the secret encrypted (src/domain/cards/card-numbers.ts, the card vault's key). */
  seal: (data: T) => T;
  /** The answer as given back, first time or replayed: the secret decrypted (or dropped for a caller no longer allowed to see it). */
  open: (data: T) => T;
}

/**
 * Runs a creating use-case once per Idempotency-Key when the request carries one (vouchers
 * require it, other creations accept it): the key is claimed in a transaction that the
 * use-case's own joins, so the creation and its stored answer commit together; a replay
 * answers the stored result, marked. `fingerprint` replaces the body when it carries a secret
 * (its keyed hash then stands in for it); `secrets` keeps a secret of the answer encrypted in
 * the stored copy.
 */
export async function createOnce<T>(
  context: HandlerContext,
  operation: string,
  input: { header?: { 'Idempotency-Key'?: string }; path?: unknown; body?: unknown },
  run: (db: Queryable) => Promise<T>,
  options: { fingerprint?: unknown; secrets?: SealedSecrets<T> } = {},
): Promise<T> {
  const key = input.header?.['Idempotency-Key'];
  if (key === undefined) return run(context.db);
  const fingerprint = requestFingerprint(operation, input.path, options.fingerprint ?? input.body);
  const { secrets } = options;
  const { data, replayed } = await idempotent(context.db, actorOf(context), { key, operation, fingerprint }, async (tx) => {
    const created = await run(tx);
    return secrets ? secrets.seal(created) : created;
  });
  if (replayed) context.markReplayed();
  return secrets ? secrets.open(data) : data;
}

/**
 * The sealing of a card number revealed once in a creation's answer (`number` absent when the
 * caller may not see it): encrypted in the stored copy; given back to a caller that holds
 * core:cards.reveal, dropped for one that no longer does.
 */
export function revealedOnce<T>(
  context: HandlerContext,
  numberOf: (data: T) => string | undefined,
  withNumber: (data: T, number: string | undefined) => T,
): SealedSecrets<T> {
  const vault = context.cardVault;
  return {
    seal: (data) => {
      const number = numberOf(data);
      return number === undefined ? data : withNumber(data, vault.encrypt(number));
    },
    open: (data) => {
      const sealed = numberOf(data);
      if (sealed === undefined) return data;
      return withNumber(data, context.actor && holdsScope(context.actor, REVEAL_SCOPE) ? vault.decrypt(sealed) : undefined);
    },
  };
}
