/**
 * What a card must be for value to move on it, checked on the card's row under its lock
 * (ledger/posting.ts calls these through `authorise`). Each refusal has its own code.
 */
import { AppError } from '../app-error';
import type { LockedCard } from '../ledger/posting';

const STATUS_REFUSALS = {
  suspended: 'CARD_SUSPENDED',
  opposed: 'CARD_OPPOSED',
  cancelled: 'CARD_CANCELLED',
} as const;

function lockedCard(cards: ReadonlyMap<string, LockedCard>, id: string): LockedCard {
  const card = cards.get(id);
  if (!card) throw new Error(`card ${id} was not locked`);
  return card;
}

/** Past its expiry at the time now in the card's world (read with the locked card: the wall clock but in a sandbox world moved forward). */
const isExpired = (card: LockedCard) => card.expires_at !== null && card.expires_at.getTime() <= card.world_now.getTime();

/**
 * A card that is debited to spend (payment, fee, transfer out): active, not expired, of an
 * active client, and, for a payment, allowed the service by its profile.
 */
export function checkSpendingCard(cards: ReadonlyMap<string, LockedCard>, id: string, service?: string): void {
  const card = lockedCard(cards, id);
  if (card.kind !== 'member') throw new AppError('CARD_KIND_NOT_ALLOWED', `Card ${id} is an E-service card; only member cards pay and are charged fees`);
  if (card.status !== 'active') throw new AppError(STATUS_REFUSALS[card.status], `Card ${id} is ${card.status}`);
  if (isExpired(card)) throw new AppError('CARD_EXPIRED', `Card ${id} expired at ${card.expires_at?.toISOString()}`);
  if (card.client_status !== 'active') throw new AppError('CLIENT_INACTIVE', `The client of card ${id} is inactive`);
  if (service !== undefined && !(card.allowed_services ?? []).includes(service)) {
    throw new AppError(
      'SERVICE_NOT_ALLOWED',
      `The profile of card ${id} does not allow ${service} (allowed: ${(card.allowed_services ?? []).join(', ') || 'none'})`,
    );
  }
}

/** A card that receives value (recharge, transfer in, payment to a station): neither opposed, cancelled nor expired, of an active client. */
export function checkReceivingCard(cards: ReadonlyMap<string, LockedCard>, id: string): void {
  const card = lockedCard(cards, id);
  if (card.status === 'opposed' || card.status === 'cancelled') throw new AppError(STATUS_REFUSALS[card.status], `Card ${id} is ${card.status}`);
  if (isExpired(card)) throw new AppError('CARD_EXPIRED', `Card ${id} expired at ${card.expires_at?.toISOString()}`);
  if (card.kind === 'member' && card.client_status !== 'active') throw new AppError('CLIENT_INACTIVE', `The client of card ${id} is inactive`);
}

/** A card whose balance the back office corrects (regularisation): anything but cancelled. */
export function checkAdjustableCard(cards: ReadonlyMap<string, LockedCard>, id: string): void {
  const card = lockedCard(cards, id);
  if (card.status === 'cancelled') throw new AppError('CARD_CANCELLED', `Card ${id} is cancelled`);
}
