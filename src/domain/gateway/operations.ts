/**
 * The 3rd Party API's operations: an operation as a partner sees it. The
 * partner's own are those that name it (`partner_id`: every operation made through the 3rd
 * Party API, and every one that moved its float); it also sees those on the cards of the
 * clients it is contracted for, without another partner's reference. Outside both, an id
 * answers exactly as an unknown one, from the same single query.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { partnerIdOf, type Actor } from '../actor';
import { OPERATION_SELECT, fromJoined, listOperations, type JoinedRow, type Operation, type OperationFilters } from '../ledger/operations-read';
import type { PageInput, SettledPage } from '../pagination';
import { operationInReach } from './reach';

type PartnerOperation = components['schemas']['PartnerOperation'];

/** The side of the operation that is the member card concerned (credited by a recharge, debited by a payment). */
function memberCardOf(operation: Operation): string | null {
  const reversedPayment = operation.type === 'cancellation' && operation.servicePointId !== null;
  const side = operation.type === 'recharge' || reversedPayment ? operation.credit : operation.debit;
  return side.kind === 'card' ? side.cardId : null;
}

/** The operation in the partner's view: its reference only if it is its own; no account ids, no actor. */
export function toPartnerOperation(operation: Operation, partnerId: string): PartnerOperation {
  const own = operation.partnerId === partnerId;
  return {
    id: operation.id,
    reference: operation.reference,
    type: operation.type,
    status: operation.status,
    own,
    amount: operation.amount,
    cardId: memberCardOf(operation),
    servicePointId: operation.servicePointId,
    externalReference: own ? operation.externalReference : null,
    receiptNumber: operation.receiptNumber,
    service: operation.service,
    fuel: operation.fuel,
    pumpNumber: operation.pumpNumber,
    odometerKm: operation.odometerKm,
    driverCheck: operation.driverCheck,
    reason: operation.reason,
    cancels: operation.cancels,
    cancelledBy: operation.cancelledBy,
    corrects: operation.corrects,
    offline: operation.offline,
    createdAt: operation.createdAt,
  };
}

/** One operation within the partner's reach (OPERATION_NOT_FOUND otherwise, as for an unknown id). */
export async function findPartnerOperation(db: Queryable, actor: Actor, operationId: string): Promise<PartnerOperation> {
  const partnerId = partnerIdOf(actor);
  const [row] = await db.query<JoinedRow>(`${OPERATION_SELECT} WHERE o.id = $1 AND ${operationInReach('$2')}`, [operationId, partnerId], { prepare: true });
  if (!row) throw new AppError('OPERATION_NOT_FOUND', `No operation ${operationId}`);
  return toPartnerOperation(fromJoined(row), partnerId);
}

/** The partner's own operations, in settled order (pagination.ts), by cursor pages. */
export async function listPartnerOperations(
  db: Queryable,
  actor: Actor,
  filters: Pick<OperationFilters, 'externalReference' | 'type' | 'from' | 'to'>,
  page: PageInput,
): Promise<SettledPage<PartnerOperation>> {
  const partnerId = partnerIdOf(actor);
  const { externalReference, type, from, to } = filters;
  const result = await listOperations(db, actor, { externalReference, type, from, to, partnerId }, page);
  return { ...result, items: result.items.map((operation) => toPartnerOperation(operation, partnerId)) };
}
