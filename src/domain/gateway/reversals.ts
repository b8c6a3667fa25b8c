/**
 * The 3rd Party API's reversals: a partner reverses, once and with a
 * reason, a recharge or payment it made itself, within REVERSAL_WINDOW_HOURS of it. The
 * reversal is the ledger's cancellation (operations.ts), with the partner's conditions checked
 * first on the locked operation: outside its reach the id is unknown (OPERATION_NOT_FOUND);
 * within its reach but not made by it, OPERATION_NOT_REVERSIBLE.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { holdsScope, partnerIdOf, type Actor } from '../actor';
import type { IdempotentRequest } from '../idempotency';
import { cancelOperation } from '../payments/operations';
import { OPERATION_SELECT, type OperationRow } from '../ledger/operations-read';
import { toPartnerOperation } from './operations';
import { operationInReach } from './reach';

type PartnerOperation = components['schemas']['PartnerOperation'];
type CancellationCreate = components['schemas']['CancellationCreate'];

/** How long after an operation its partner may reverse it; later, the issuer cancels it. */
const REVERSAL_WINDOW_HOURS = 24;

/** The scope a reversal of each type needs. */
const REVERSAL_SCOPES: Partial<Record<OperationRow['type'], string>> = { recharge: 'partner:recharges.write', payment: 'partner:payments.write' };

async function checkReversible(tx: Queryable, actor: Actor, partnerId: string, original: OperationRow): Promise<void> {
  const [inReach] = await tx.query(`${OPERATION_SELECT} WHERE o.id = $1 AND ${operationInReach('$2')}`, [original.id, partnerId], { prepare: true });
  if (!inReach) throw new AppError('OPERATION_NOT_FOUND', `No operation ${original.id}`);
  const madeByIt = original.partner_id === partnerId && original.actor_kind === 'partner' && original.actor_id === partnerId;
  if (!madeByIt) throw new AppError('OPERATION_NOT_REVERSIBLE', `Operation ${original.id} was not made by the partner through the 3rd Party API`);
  if (original.type === 'cancellation') return; // the ledger refuses it (CANCELLATION_NOT_CANCELLABLE)
  const scope = REVERSAL_SCOPES[original.type];
  if (scope === undefined) throw new AppError('OPERATION_NOT_REVERSIBLE', `A ${original.type} is not reversed through the 3rd Party API`);
  if (!holdsScope(actor, scope)) throw new AppError('INSUFFICIENT_SCOPE', `Reversing a ${original.type} needs the scope ${scope}`);
  const closes = original.created_at.getTime() + REVERSAL_WINDOW_HOURS * 3_600_000;
  if (Date.now() >= closes) throw new AppError('REVERSAL_WINDOW_CLOSED', `Operation ${original.id} could be reversed until ${new Date(closes).toISOString()}`);
}

/** Reverses one of the partner's own recharges or payments. */
export async function reversePartnerOperation(
  db: Database,
  actor: Actor,
  request: IdempotentRequest,
  operationId: string,
  input: CancellationCreate,
): Promise<{ data: PartnerOperation; replayed: boolean }> {
  const partnerId = partnerIdOf(actor);
  const { data, replayed } = await cancelOperation(db, actor, request, operationId, input, (tx, original) => checkReversible(tx, actor, partnerId, original));
  return { data: toPartnerOperation(data, partnerId), replayed };
}
