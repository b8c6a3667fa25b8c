/** What every handler receives besides its validated input. */
import type { Credential } from '../auth/credential';
import type { Database } from '../db/database';
import type { Actor } from '../domain/actor';
import { AppError } from '../domain/app-error';
import type { CardVault } from '../domain/cards/card-numbers';

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
