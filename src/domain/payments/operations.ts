/**
 * The money operations of the Core API: float funding, payment, fee, regularisation and
 * cancellation. Each is idempotent (idempotency.ts) and posts through ledger/posting.ts, in one
 * transaction with its idempotency key and its events.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { AppError } from '../app-error';
import { Money } from '../money';
import type { Actor } from '../actor';
import { idempotent, type Idempotent, type IdempotentRequest } from '../idempotency';
import { recordCardEvents } from '../events/events';
import { cardAccount, partnerFloatAccount, systemAccount, type AccountRow } from '../ledger/accounts';
import { paymentAccounts } from './payment-accounts';
import { paymentInOneCall, type OneCallCard } from './one-call';
import { checkAdjustableCard, checkReceivingCard, checkSpendingCard } from './card-rules';
import { passOnFromCancelledCard } from './card-closure';
import { checkRefundUnpaid } from './payouts';
import { releaseSettlement } from './settlement-payouts';
import { markCancelled, post } from '../ledger/posting';
import { recordDecline, RefusalView } from './declines';
import { raiseExceptions, softRuleExceptions } from './exceptions';
import { enforceControls } from './spending-checks';
import { checkDriver, driverChecked, fillExceptions } from './fleet-checks';
import { priceFill } from './pricing';
import type { CardVault } from '../cards/card-numbers';
import type { Breach } from '../cards/spending-rules';
import { operationRow, toOperation, type Operation, type OperationRow } from '../ledger/operations-read';
import { partnerRow } from '../partners/partners';
import { giveBackToDay } from '../partners/recharge-limits';

/** Runs a statement whose unique violation on `constraint` means `refusal`. */
export async function uniquely<T>(constraint: string, refusal: AppError, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error, constraint)) throw refusal;
    throw error;
  }
}

type FloatFundingCreate = components['schemas']['FloatFundingCreate'];

/** The issuer credits a partner's float against the partner's payment reference. */
export function fundPartnerFloat(db: Queryable, actor: Actor, request: IdempotentRequest, input: FloatFundingCreate): Idempotent<Operation> {
  return idempotent(db, actor, request, async (tx) => {
    const partner = await partnerRow(tx, input.partnerId, 'share');
    if (partner.status !== 'active') throw new AppError('PARTNER_INACTIVE', `Partner ${input.partnerId} is disabled`);
    const amount = Money.fromApi(input.amount);
    const debit = await systemAccount(tx, 'issuer-float', amount.unit);
    const credit = await partnerFloatAccount(tx, input.partnerId, amount.unit);
    return uniquely(
      'ledger_operations_external_reference',
      new AppError('EXTERNAL_REFERENCE_REUSED', `Partner ${input.partnerId} already has an operation with external reference ${input.externalReference}`),
      () =>
        post(tx, actor, {
          type: 'float-funding',
          amount,
          debit,
          credit,
          fields: { partnerId: input.partnerId, externalReference: input.externalReference, comment: input.comment },
        }),
    );
  });
}

type PaymentCreate = components['schemas']['PaymentCreate'];

/**
 * Who pays and for whom, beyond the request: the paying card, found inside the payment's
 * transaction (the 3rd Party API finds it by number and checks its contract there, so that
 * its refusals are kept under the idempotency key too), and, for a partner's payment, the
 * partner whose operation it is and its reference.
 */
export interface Payer {
  cardId: (tx: Queryable) => Promise<string>;
  partnerId?: string;
  externalReference?: string;
  /** How a refusal is answered when the payer may not read all of it (a station: see RefusalView), given the paying card once found. */
  refusal?: (refusal: AppError, cardId: string | null) => AppError;
  /** The card as the payment in one call finds it (one-call.ts); absent, the general path only. */
  oneCall?: OneCallCard;
}

/**
 * A member card pays a service point: the card is debited, the service point's E-service card
 * credited, after the card's rules, its driver's code and its spending controls (a soft
 * breach raises an exception, and so does a fill beyond the vehicle's tank or an odometer
 * going backwards; a refusal of the card is kept among its declines).
 */
export function recordPayment(db: Database, vault: CardVault, actor: Actor, request: IdempotentRequest, input: PaymentCreate): Idempotent<Operation> {
  return takePayment(db, vault, actor, request, input, { cardId: async () => input.cardId, oneCall: { cardId: input.cardId } });
}

/** recordPayment, the card found by `payer` (and the operation its partner's, with its reference, when it names one). */
export function takePayment(
  db: Database,
  vault: CardVault,
  actor: Actor,
  request: IdempotentRequest,
  input: Omit<PaymentCreate, 'cardId'>,
  payer: Payer,
): Idempotent<Operation> {
  const attempt = {
    at: new Date(),
    amount: Money.fromApi(input.amount),
    service: input.service,
    energyTypeCode: input.fuel?.energyTypeCode ?? null,
    quantityMl: input.fuel ? BigInt(input.fuel.quantityMl) : null,
  };
  let cardId: string | null = null; // known once found: a refusal before that is no card's decline
  const answer = payer.refusal;
  const view = new RefusalView(answer && ((refusal) => answer(refusal, cardId)));
  const declined = async (tx: Queryable, refusal: AppError) => {
    if (cardId !== null)
      await recordDecline(tx, actor, view.original(refusal), { ...attempt, attempt: 'payment', cardId, servicePointId: input.servicePointId });
  };
  return idempotent(
    db,
    actor,
    request,
    (tx) =>
      pay(tx).catch((error: unknown) => {
        throw view.shown(error);
      }),
    declined,
    payer.oneCall &&
      paymentInOneCall(db, actor, request, input, attempt.amount, {
        card: payer.oneCall,
        partnerId: payer.partnerId,
        externalReference: payer.externalReference,
      }),
  );

  async function pay(tx: Queryable): Promise<Operation> {
    const payingCard = await payer.cardId(tx);
    cardId = payingCard;
    const { debit, stationCardId, credit, spending } = await paymentAccounts(tx, payingCard, input.servicePointId, attempt.amount.unit);
    attempt.at = spending.clock.now(); // its rules judge at the time of the card's world (clocks.ts)
    const { amount, fuel, exceptions: onPrice } = await priceFill(tx, input, attempt.amount, spending);
    attempt.amount = amount; // the card is charged (and its limits count) at the client's price
    const driverCheck = checkDriver(vault, spending, input.driverCode);
    let soft: Breach[] = [];
    const payment = await uniquely(
      'ledger_operations_receipt',
      new AppError('RECEIPT_NUMBER_REUSED', `Service point ${input.servicePointId} has already recorded receipt ${input.receiptNumber}`),
      () =>
        uniquely(
          'ledger_operations_external_reference',
          new AppError('EXTERNAL_REFERENCE_REUSED', `Partner ${payer.partnerId} already has an operation with external reference ${payer.externalReference}`),
          () =>
            post(tx, actor, {
              type: 'payment',
              amount,
              debit,
              credit,
              fields: {
                servicePointId: input.servicePointId,
                receiptNumber: input.receiptNumber,
                service: input.service,
                fuel,
                pumpNumber: input.pumpNumber,
                vehicleId: spending.vehicle?.id,
                odometerKm: input.odometerKm,
                driverCheck,
                partnerId: payer.partnerId,
                externalReference: payer.externalReference,
              },
              authorise: async (cards) => {
                checkSpendingCard(cards, payingCard, input.service);
                checkReceivingCard(cards, stationCardId);
                soft = await enforceControls(tx, spending, attempt);
              },
            }),
        ),
    );
    await driverChecked(tx, payingCard, driverCheck);
    const onVehicle = await fillExceptions(tx, spending, { operationId: payment.id, quantityMl: attempt.quantityMl, odometerKm: input.odometerKm });
    await raiseExceptions(tx, { cardId: payingCard, clientId: spending.clientId as string, operationId: payment.id }, [
      ...softRuleExceptions(soft),
      ...onVehicle,
      ...onPrice,
    ]);
    return payment;
  }
}

type FeeCreate = components['schemas']['FeeCreate'];

/** A fee debited from a member card to the fee revenue account. */
export function chargeFee(db: Database, actor: Actor, request: IdempotentRequest, input: FeeCreate): Idempotent<Operation> {
  return idempotent(db, actor, request, async (tx) => {
    const amount = Money.fromApi(input.amount);
    const debit = await cardAccount(tx, input.cardId, amount.unit);
    const credit = await systemAccount(tx, 'fee-revenue', amount.unit);
    return post(tx, actor, {
      type: 'fee',
      amount,
      debit,
      credit,
      fields: { reason: input.reason, comment: input.comment },
      authorise: (cards) => checkSpendingCard(cards, input.cardId),
    });
  });
}

type RegularisationCreate = components['schemas']['RegularisationCreate'];

/**
 * The operation a regularisation corrects (OPERATION_NOT_FOUND): one that moved value on the
 * regularised card's account in the amount's unit, and not a cancellation
 * (CORRECTED_OPERATION_MISMATCH).
 */
async function checkCorrected(tx: Queryable, operationId: string, card: Pick<AccountRow, 'id' | 'card_id' | 'unit_code'>): Promise<void> {
  const corrected = await operationRow(tx, operationId);
  const mismatch = (why: string) => new AppError('CORRECTED_OPERATION_MISMATCH', `Operation ${operationId} ${why}`);
  if (corrected.unit_code !== card.unit_code) throw mismatch(`is in ${corrected.unit_code}, the regularisation in ${card.unit_code}`);
  if (corrected.debit_account_id !== card.id && corrected.credit_account_id !== card.id) throw mismatch(`moved no value on card ${card.card_id}`);
  if (corrected.type === 'cancellation') throw mismatch('is a cancellation; correct the operation it cancelled');
}

/** A card's balance adjusted against the adjustments account, naming the operation it corrects when it does. */
export function regularise(db: Queryable, actor: Actor, request: IdempotentRequest, input: RegularisationCreate): Idempotent<Operation> {
  return idempotent(db, actor, request, async (tx) => {
    const amount = Money.fromApi(input.amount);
    const card = await cardAccount(tx, input.cardId, amount.unit);
    if (input.corrects !== undefined) await checkCorrected(tx, input.corrects, card);
    const adjustments = await systemAccount(tx, 'adjustments', amount.unit);
    const [debit, credit] = input.direction === 'credit' ? [adjustments, card] : [card, adjustments];
    return post(tx, actor, {
      type: 'regularisation',
      amount,
      debit,
      credit,
      fields: { reason: input.reason, comment: input.comment, corrects: input.corrects },
      authorise: (cards) => checkAdjustableCard(cards, input.cardId),
    });
  });
}

type CancellationCreate = components['schemas']['CancellationCreate'];

/**
 * Reverses a completed operation once: the cancellation debits what it credited and credits
 * what it debited. The card rules do not apply (it restores the state before the operation),
 * the bounds do: value already spent cannot be given back.
 */
export function cancelOperation(
  db: Database,
  actor: Actor,
  request: IdempotentRequest,
  operationId: string,
  input: CancellationCreate,
  /** The caller's own conditions, checked first on the locked operation (the 3rd Party API's reach, ownership and window). */
  allowed?: (tx: Queryable, original: OperationRow) => Promise<void>,
): Idempotent<Operation> {
  return idempotent(db, actor, request, async (tx) => {
    const original = await operationRow(tx, operationId, true);
    await allowed?.(tx, original);
    if (original.type === 'cancellation')
      throw new AppError('CANCELLATION_NOT_CANCELLABLE', `Operation ${operationId} is a cancellation; a cancellation is never cancelled`);
    if (original.status === 'cancelled')
      throw new AppError('OPERATION_ALREADY_CANCELLED', `Operation ${operationId} was already cancelled by ${original.cancelled_by_operation_id}`);
    // A card refund paid out is settled with the client: cancel its payout first.
    if (original.type === 'card-refund') await checkRefundUnpaid(tx, original.id);
    const accounts = await tx.query<AccountRow>('SELECT * FROM ledger_accounts WHERE id = ANY($1)', [[original.debit_account_id, original.credit_account_id]]);
    const account = (id: string) => accounts.find((row) => row.id === id) as AccountRow;
    const cancellation = await post(tx, actor, {
      type: 'cancellation',
      amount: Money.fromStored(original.amount, original.unit_code),
      debit: account(original.credit_account_id),
      credit: account(original.debit_account_id),
      fields: { servicePointId: original.service_point_id, partnerId: original.partner_id, reason: input.reason, comment: input.comment, cancels: original.id },
    });
    // A partner's recharge cancelled (reversed by it or cancelled by the issuer) no longer counts in its limits per day.
    if (original.type === 'recharge' && original.partner_id !== null)
      await giveBackToDay(tx, original.partner_id, Money.fromStored(original.amount, original.unit_code), original.created_at);
    // What it gives back to a card cancelled since goes on to the card refunds account.
    await passOnFromCancelledCard(tx, actor, account(original.debit_account_id), Money.fromStored(original.amount, original.unit_code), input.reason);
    // A station's settlement whose payout is cancelled is to be paid again.
    if (original.type === 'payout') await releaseSettlement(tx, original.id);
    const updated = await markCancelled(tx, original.id, cancellation.id);
    const cancelled = toOperation(updated, { debit: account(original.debit_account_id), credit: account(original.credit_account_id) });
    const cards = [cancelled.debit.cardId, cancelled.credit.cardId].filter((id): id is string => id !== null);
    await recordCardEvents(tx, [
      { type: 'operation.cancelled', resourceType: 'operation', resourceId: original.id, data: cancelled, partnerId: cancelled.partnerId, cardIds: cards },
    ]);
    return cancellation;
  });
}
