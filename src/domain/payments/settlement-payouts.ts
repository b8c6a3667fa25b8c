/**
 * Paying a station its day: the issuer records that it paid a service point the `net` of a
 * closed day's settlement, outside CYNOD. Like a card refund's payout (payouts.ts), a `payout`
 * moves the value out of the closed loop: it debits the service point's E-service card and
 * credits the issuer's float, naming the service point, booked on the day it is recorded. A
 * settlement is paid once per service point, unit and day (settlement_payouts, migration 037,
 * whose primary key stands behind the check); cancelling the payout frees it.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { AppError } from '../app-error';
import type { Actor } from '../actor';
import { Money } from '../money';
import { idempotent, type Idempotent, type IdempotentRequest } from '../idempotency';
import { cardAccountKey, systemAccount } from '../ledger/accounts';
import { post } from '../ledger/posting';
import type { Operation } from '../ledger/operations-read';
import { checkSettlementDay, readSettlement, settlementDay, settlementPlace } from './settlements';

type SettlementPayoutCreate = components['schemas']['SettlementPayoutCreate'];

const alreadyPaid = (servicePointId: string, day: string, unit: string, payoutId?: string) =>
  new AppError(
    'SETTLEMENT_ALREADY_PAID',
    `The settlement of service point ${servicePointId} for ${day} in ${unit} was paid ${payoutId ? `by ${payoutId}` : 'meanwhile'}`,
    payoutId ? { details: { payoutId } } : undefined,
  );

/**
 * Pays the net of a closed day's settlement (SERVICE_POINT_NOT_FOUND, UNIT_NOT_FOUND,
 * SETTLEMENT_DAY_NOT_STARTED, SETTLEMENT_DAY_OPEN, SETTLEMENT_ALREADY_PAID, SETTLEMENT_NOTHING_DUE,
 * or the E-service card's bound).
 */
export function paySettlement(
  db: Database,
  actor: Actor,
  request: IdempotentRequest,
  servicePointId: string,
  day: string,
  input: SettlementPayoutCreate,
): Idempotent<Operation> {
  return idempotent(db, actor, request, async (tx) => {
    checkSettlementDay(day);
    const place = await settlementPlace(tx, servicePointId, input.unit);
    const settled = await settlementDay(tx, place, day);
    if (!settled.closed)
      throw new AppError('SETTLEMENT_DAY_OPEN', `The day ${day} of ${settled.timeZone} is not closed (it ends at ${settled.to.toISOString()})`);
    const settlement = await readSettlement(tx, place, input.unit, settled);
    if (settlement.payout) throw alreadyPaid(servicePointId, day, input.unit, settlement.payout.operationId);
    const net = Money.fromApi(settlement.totals.net);
    if (place.accountId === null || net.isNegative() || net.isZero())
      throw new AppError('SETTLEMENT_NOTHING_DUE', `Nothing is owed to service point ${servicePointId} for ${day}: its net is ${net.toStored()} ${input.unit}`);
    const payout = await post(tx, actor, {
      type: 'payout',
      amount: net,
      debit: cardAccountKey(place.accountId, place.cardId, input.unit, false),
      credit: await systemAccount(tx, 'issuer-float', input.unit),
      fields: { servicePointId, externalReference: input.externalReference, comment: input.comment },
    });
    try {
      await tx.query('INSERT INTO settlement_payouts (service_point_id, unit_code, day, operation_id) VALUES ($1, $2, $3::date, $4)', [
        servicePointId,
        input.unit,
        day,
        payout.id,
      ]);
    } catch (error) {
      if (isUniqueViolation(error, 'settlement_payouts_pkey')) throw alreadyPaid(servicePointId, day, input.unit);
      throw error;
    }
    return payout;
  });
}

/** A payout cancelled: the settlement it paid, if it paid one, is to be paid again. */
export async function releaseSettlement(tx: Queryable, payoutId: string): Promise<void> {
  await tx.query('DELETE FROM settlement_payouts WHERE operation_id = $1', [payoutId]);
}
