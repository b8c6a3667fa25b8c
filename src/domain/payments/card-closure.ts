/**
 * Cancelling a card: a cancelled card never holds value. Its whole balance, in every unit,
 * moves first, in the cancellation's transaction, to another member card of its client (a
 * full transfer) or to the issuer's card refunds account (a card refund, settled by the issuer
 * with the client); without a destination, a card holding value is refused with its figures,
 * and so is a card with open pump authorisations (a station may still capture them), or an
 * E-service card whose service point has some. The card is locked FOR UPDATE: payments and
 * authorisations at an E-service card's station read it FOR KEY SHARE (ledger/posting.ts), so
 * those in flight land before the balance is read, and later ones read it cancelled.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import type { Actor } from '../actor';
import { Money, type StoredAmount } from '../money';
import { cardAccounts, systemAccount, type AccountRow } from '../ledger/accounts';
import { postAll, type Posting } from '../ledger/posting';
import { changeCardStatus, lockCardFor, type Card } from '../cards/cards';
import { checkReceivingCard } from './card-rules';

type CardCancellation = components['schemas']['CardCancellationRequest'];
type ClosureDetails = components['schemas']['CardClosureDetails'];

/** A card account with its posted balance (summed from its entries for an E-service card). */
interface BalanceRow extends AccountRow {
  balance: StoredAmount;
}

/** The card's accounts with their posted balance, read under the card's lock. */
async function cardBalanceRows(tx: Queryable, cardId: string): Promise<BalanceRow[]> {
  return tx.query<BalanceRow>(
    `SELECT a.*, CASE WHEN a.stored_balance THEN a.posted
                      ELSE (SELECT COALESCE(sum(e.amount), 0) FROM ledger_entries e WHERE e.account_id = a.id) END::text AS balance
       FROM ledger_accounts a WHERE a.card_id = $1 ORDER BY a.unit_code`,
    [cardId],
  );
}

/**
 * The open pump authorisations a cancellation must wait for: those on a member card, and
 * those at an E-service card's service point (their capture would credit it).
 */
async function openHoldsFor(tx: Queryable, cardId: string) {
  return tx.query<{ id: string; amount: StoredAmount; unit_code: string; expires_at: Date }>(
    `SELECT h.id, h.amount, h.unit_code, h.expires_at FROM ledger_holds h, cards c
      WHERE c.id = $1 AND h.status = 'open' AND (h.card_id = c.id OR h.service_point_id = c.service_point_id) ORDER BY h.id`,
    [cardId],
  );
}

async function closureDetails(tx: Queryable, cardId: string, accounts: readonly BalanceRow[]): Promise<ClosureDetails> {
  const holds = await openHoldsFor(tx, cardId);
  return {
    cardId,
    balances: accounts.map((row) => {
      const [posted, held] = [Money.fromStored(row.balance, row.unit_code), Money.fromStored(row.held, row.unit_code)];
      return { unit: row.unit_code, posted: posted.toApi().value, held: held.toApi().value, available: posted.subtract(held).toApi().value };
    }),
    openHolds: holds.map((hold) => ({
      authorizationId: hold.id,
      amount: Money.fromStored(hold.amount, hold.unit_code).toApi(),
      expiresAt: hold.expires_at.toISOString(),
    })),
  };
}

const invalid = (path: string, message: string) => new AppError('VALIDATION_FAILED', `${path}: ${message}`, { errors: [{ path, message }] });

/** The request's shape: `to: card` names a card, `to: refund` none. */
function checkDestination(input: CardCancellation): void {
  const destination = input.remainingBalance;
  if (!destination) return;
  if (destination.to === 'card' && destination.cardId === undefined) throw invalid('/body/remainingBalance/cardId', 'required when to is card');
  if (destination.to === 'refund' && destination.cardId !== undefined) throw invalid('/body/remainingBalance/cardId', 'not when to is refund');
}

/**
 * Passes value just credited to a cancelled card (a cancellation giving back what it paid) on
 * to the card refunds account, in the caller's transaction (the card locked by that credit):
 * a cancelled card never holds value. Does nothing for a card that is not cancelled.
 */
export async function passOnFromCancelledCard(tx: Queryable, actor: Actor, account: AccountRow, amount: Money, reason: string): Promise<void> {
  if (account.card_id === null) return;
  const [card] = await tx.query<{ status: string }>('SELECT status FROM cards WHERE id = $1', [account.card_id]);
  if (card?.status !== 'cancelled') return;
  await postAll(tx, actor, [{ type: 'card-refund', amount, debit: account, credit: await systemAccount(tx, 'card-refunds', amount.unit), fields: { reason } }]);
}

/** True when the cancellation moves money (and so needs an Idempotency-Key). */
export const movesMoney = (input: CardCancellation): boolean => input.remainingBalance !== undefined;

/**
 * Cancels a card (in the caller's transaction, or its own): CARD_TRANSITION_FORBIDDEN when
 * its status does not allow it, CARD_HAS_OPEN_HOLDS, CARD_HOLDS_VALUE without a destination
 * (or with a balance below zero, which no move can take), BALANCE_DESTINATION_INVALID for a
 * receiving card that is not another member card of the client.
 */
export async function cancelCard(db: Queryable, actor: Actor, cardId: string, input: CardCancellation): Promise<Card> {
  checkDestination(input);
  const reason = input.reason.trim();
  const targetId = input.remainingBalance?.to === 'card' ? input.remainingBalance.cardId : undefined;
  return db.transaction(async (tx) => {
    // Both cards locked in id order (the ledger's lock order), the cancelled one checked first.
    if (targetId !== undefined && targetId < cardId) await tx.query('SELECT 1 FROM cards WHERE id = $1 FOR UPDATE', [targetId]);
    const card = await lockCardFor(tx, cardId, 'cancel');
    const accounts = await cardBalanceRows(tx, cardId);
    if ((await openHoldsFor(tx, cardId)).length > 0) {
      const details = await closureDetails(tx, cardId, accounts);
      throw new AppError(
        'CARD_HAS_OPEN_HOLDS',
        `Card ${cardId} has ${details.openHolds.length} open authorisation(s) (${details.openHolds.map((hold) => hold.authorizationId).join(', ')}); capture or void them first`,
        { details },
      );
    }
    const owing = accounts.find((row) => BigInt(row.balance) < 0n);
    const funded = accounts.filter((row) => BigInt(row.balance) > 0n);
    if (owing || (funded.length > 0 && !input.remainingBalance)) {
      const figures = (owing ? [owing] : funded).map((row) => `${row.balance} ${row.unit_code}`).join(', ');
      throw new AppError(
        'CARD_HOLDS_VALUE',
        owing
          ? `Card ${cardId} is below zero (${figures}): bring it to zero (a recharge or a regularisation) before cancelling it`
          : `Card ${cardId} holds ${figures}: say where it goes (remainingBalance: another card of its client, or the refund account)`,
        { details: await closureDetails(tx, cardId, accounts) },
      );
    }
    if (targetId !== undefined) {
      if (targetId > cardId) await tx.query('SELECT 1 FROM cards WHERE id = $1 FOR UPDATE', [targetId]);
      const [target] = await tx.query<{ kind: string; client_id: string | null }>('SELECT kind, client_id FROM cards WHERE id = $1', [targetId]);
      if (!target) throw new AppError('CARD_NOT_FOUND', `No card ${targetId}`);
      if (targetId === cardId) throw new AppError('BALANCE_DESTINATION_INVALID', `Card ${cardId} cannot receive its own balance`);
      if (card.kind !== 'member' || target.kind !== 'member' || target.client_id !== card.client_id)
        throw new AppError('BALANCE_DESTINATION_INVALID', `Card ${targetId} is not a member card of the client of card ${cardId}`);
    }
    if (funded.length > 0) {
      const credits = targetId
        ? await cardAccounts(
            tx,
            funded.map((row) => ({ cardId: targetId, unit: row.unit_code, path: '/body/remainingBalance/cardId' })),
          )
        : [];
      if (!targetId) for (const row of funded) credits.push(await systemAccount(tx, 'card-refunds', row.unit_code));
      const postings: Posting[] = funded.map((row, index) => ({
        type: targetId ? 'full-transfer' : 'card-refund',
        amount: Money.fromStored(row.balance, row.unit_code),
        debit: row,
        credit: credits[index],
        fields: { reason },
        authorise: targetId ? (cards) => checkReceivingCard(cards, targetId) : undefined,
      }));
      await postAll(tx, actor, postings);
    }
    return changeCardStatus(tx, actor, cardId, 'cancel', reason);
  });
}
