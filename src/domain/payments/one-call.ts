/**
 * A payment at a service point in one round trip: the claim of its key, its card and accounts,
 * the locks in the ledger's order, the card rules and the balance's bounds under them, the
 * operation, entries, balances, events and stored answer, all in one call of the SQL function
 * of migration 047, which does exactly what the general path (operations.ts takePayment) does
 * for the common payment and hands back, having written nothing, every payment it does not
 * take whole: a refusal (the general path refuses it with its figures and keeps the card's
 * decline), spending controls, a vehicle, a driver, a moved test clock, a station's first
 * payment in a unit. A payment whose request already asks for more (fuel priced at the
 * client's price, a driver's code) goes to the general path without the call.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import type { Actor } from '../actor';
import { newId } from '../ids';
import type { KeyRow, IdempotentRequest, OneCall } from '../idempotency';
import type { AccountKey } from '../ledger/accounts';
import { toOperation, type Operation, type OperationRow } from '../ledger/operations-read';
import type { Money } from '../money';

type PaymentCreate = components['schemas']['PaymentCreate'];

/** The paying card as the call finds it: a Core payment's by id, a partner's by its number's keyed hash (at a service point it is contracted for). */
export type OneCallCard = { cardId: string } | { numberHash: string };

/** Set by the function from what it read and wrote: the operation's reference, its time and its two accounts. */
const PLACEHOLDER: AccountKey = { id: '', kind: 'card', card_id: null, partner_id: null, unit_code: '', non_negative: true, stored_balance: true };

const SQL = `SELECT claimed, stored, posted FROM post_payment_in_one_call($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`;

/**
 * The one call of a payment (for `idempotent`), or undefined when the request itself needs the
 * general path: a fuel service or record, a driver's code.
 */
export function paymentInOneCall(
  db: Queryable,
  actor: Actor,
  request: IdempotentRequest,
  input: Omit<PaymentCreate, 'cardId'>,
  amount: Money,
  payer: { card: OneCallCard; partnerId?: string; externalReference?: string },
): ((caller: string) => Promise<OneCall<Operation>>) | undefined {
  if (input.service === 'fuel' || input.fuel !== undefined || input.driverCode !== undefined) return undefined;
  return async (caller) => {
    const id = newId('op');
    const row: OperationRow = {
      seq: '',
      xact: '',
      id,
      reference: '',
      type: 'payment',
      status: 'completed',
      unit_code: amount.unit,
      amount: amount.toStored(),
      debit_account_id: '',
      credit_account_id: '',
      service_point_id: input.servicePointId,
      partner_id: payer.partnerId ?? null,
      external_reference: payer.externalReference ?? null,
      receipt_number: input.receiptNumber,
      service: input.service,
      fuel: null,
      pump_number: input.pumpNumber ?? null,
      reason: null,
      comment: null,
      cancels_operation_id: null,
      cancelled_by_operation_id: null,
      corrects_operation_id: null,
      settles_operation_id: null,
      order_id: null,
      terminal_id: null,
      terminal_transaction_id: null,
      occurred_at: null,
      vehicle_id: null,
      odometer_km: input.odometerKm === undefined ? null : String(input.odometerKm),
      driver_check: 'no-driver',
      actor_kind: actor.kind,
      actor_id: actor.id,
      actor_name: actor.name,
      channel: actor.channel,
      request_id: actor.requestId,
      created_at: new Date(0),
    };
    const [result] = await db.query<{ claimed: boolean; stored: KeyRow | null; posted: Operation | null }>(
      SQL,
      [
        caller,
        request.key,
        request.operation,
        request.fingerprint,
        'cardId' in payer.card ? payer.card.cardId : null,
        'numberHash' in payer.card ? payer.card.numberHash : null,
        row.partner_id,
        input.servicePointId,
        amount.unit,
        amount.toStored(),
        input.service,
        input.receiptNumber,
        row.pump_number,
        row.odometer_km,
        row.external_reference,
        actor.kind,
        actor.id,
        actor.name,
        actor.channel,
        actor.requestId,
        id,
        [newId('evt'), newId('evt')],
        JSON.stringify(toOperation(row, { debit: PLACEHOLDER, credit: PLACEHOLDER })),
      ],
      { prepare: true },
    );
    return { claimed: result.claimed, stored: result.stored, data: result.posted };
  };
}
