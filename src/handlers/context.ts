/** What every handler receives besides its validated input. */
import type { Principal } from '../auth/principal';
import type { Database } from '../db/database';
import type { CardVault } from '../domain/cards/card-numbers';
import type { Actor } from '../domain/audit/audit';
import { AppError } from '../http/app-error';

/** The scope that lets a caller see a card's full number once, in the answer that creates the card. */
export const REVEAL_SCOPE = 'core:cards.reveal';

export interface HandlerContext {
  requestId: string;
  /** The client's IP address (through a trusted proxy, the forwarded one). */
  clientAddress: string | null;
  db: Database;
  principal: Principal | undefined;
  /** Hashes, seals and masks card numbers. */
  cardVault: CardVault;
}

/** The caller of a secured operation (the security handlers guarantee it is there). */
export function callerOf(context: HandlerContext): Principal {
  if (!context.principal) throw new AppError('AUTHENTICATION_REQUIRED', 'This operation requires credentials');
  return context.principal;
}

/** The caller as the audit trail records it. */
export function actorOf(context: HandlerContext): Actor {
  const caller = callerOf(context);
  return { id: caller.partnerId, name: caller.partnerName, channel: 'api', requestId: context.requestId, address: context.clientAddress };
}
