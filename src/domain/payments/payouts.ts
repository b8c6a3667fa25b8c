/**
 * Payouts: the issuer pays out of the closed loop what it owes. A card refund (what a
 * cancelled card held, moved to the `card-refunds` account) is paid to the card's client once,
 * in full: a `payout` debits `card-refunds` and credits the issuer's float, naming the refund
 * it settles. The refund's row is locked first, so that a payout and the refund's own
 * cancellation, or two payouts, take turns; the unique index ledger_operations_settles
 * (migration 036) stands behind the check.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { AppError } from '../app-error';
import type { Actor } from '../actor';
import { Money } from '../money';
import { idempotent, type Idempotent, type IdempotentRequest } from '../idempotency';
import { systemAccount } from '../ledger/accounts';
import { post } from '../ledger/posting';
import { operationRow, type Operation } from '../ledger/operations-read';

type PayoutCreate = components['schemas']['PayoutCreate'];

/** REFUND_ALREADY_PAID when a payout that stands settles the card refund. */
export async function checkRefundUnpaid(tx: Queryable, refundId: string): Promise<void> {
  const [payout] = await tx.query<{ id: string }>("SELECT id FROM ledger_operations WHERE settles_operation_id = $1 AND status = 'completed'", [refundId]);
  if (payout) throw new AppError('REFUND_ALREADY_PAID', `Card refund ${refundId} was paid out by ${payout.id}`, { details: { payoutId: payout.id } });
}

/** Pays a card refund out in full (OPERATION_NOT_FOUND, NOT_A_STANDING_REFUND, REFUND_ALREADY_PAID). */
export function payOutRefund(db: Database, actor: Actor, request: IdempotentRequest, input: PayoutCreate): Idempotent<Operation> {
  return idempotent(db, actor, request, async (tx) => {
    const refund = await operationRow(tx, input.refundId, true);
    if (refund.type !== 'card-refund' || refund.status !== 'completed') {
      throw new AppError(
        'NOT_A_STANDING_REFUND',
        `Operation ${refund.id} is ${refund.status === 'completed' ? `a ${refund.type}` : 'cancelled'}, not a card refund to pay out`,
      );
    }
    await checkRefundUnpaid(tx, refund.id);
    const amount = Money.fromStored(refund.amount, refund.unit_code);
    try {
      return await post(tx, actor, {
        type: 'payout',
        amount,
        debit: await systemAccount(tx, 'card-refunds', amount.unit),
        credit: await systemAccount(tx, 'issuer-float', amount.unit),
        fields: { externalReference: input.externalReference, comment: input.comment, settles: refund.id },
      });
    } catch (error) {
      if (isUniqueViolation(error, 'ledger_operations_settles')) throw new AppError('REFUND_ALREADY_PAID', `Card refund ${refund.id} was paid out meanwhile`);
      throw error;
    }
  });
}
