/**
 * The sandbox's simulations (`/partner/v1/simulate/...`): what comes to a partner from outside
 * (a station's payment or authorisation, the issuer changing a card's status, a hold timing out,
 * a station's offline batch, a recharge voucher executed) triggered on demand, on the cards and
 * service points within the partner's reach (reach.ts), through the very use cases production
 * runs for those events, so that the same checks, refusals, events and signed webhooks follow.
 * Each is refused on a live deployment (deployment.ts: the database's own stamp, not a flag of
 * the request). The outside world acts as the simulator actor of the partner that asked.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { partnerIdOf, simulatorActor, type Actor } from '../actor';
import { requireSandbox } from '../deployment';
import type { CardVault } from '../cards/card-numbers';
import { cardNotFound, setCardExpiry, transitionCard } from '../cards/cards';
import type { Idempotent, IdempotentRequest } from '../idempotency';
import { authorize, authorizationNotFound, timeOutHold } from '../payments/holds';
import { uploadOfflineFills } from '../payments/offline-fills';
import { recordPayment } from '../payments/operations';
import { createOrder, executeValidatedOrder, stepOrder } from '../payments/orders';
import { servicePointNotFound } from '../referential/service-points';
import { cardInReach, servicePointInReach } from './reach';

type Simulation = components['schemas']['Simulation'];
type PaymentCreate = components['schemas']['PaymentCreate'];
type AuthorizationCreate = components['schemas']['AuthorizationCreate'];
type OfflineFillBatch = components['schemas']['OfflineFillBatch'];
type SimulatedCardStatus = components['schemas']['SimulatedCardStatus'];
type SimulatedVoucher = components['schemas']['SimulatedVoucher'];

const WHAT = 'A simulation';

/** The member cards among `cardIds` outside the partner's reach make the first one CARD_NOT_FOUND, as an unknown card. */
async function requireCardsInReach(db: Queryable, partnerId: string, cardIds: readonly string[]): Promise<void> {
  const unique = [...new Set(cardIds)];
  const rows = await db.query<{ id: string }>(`SELECT k.id FROM cards k WHERE k.id = ANY($2::text[]) AND ${cardInReach('$1', 'k')}`, [partnerId, unique]);
  const found = new Set(rows.map((row) => row.id));
  const missing = unique.find((id) => !found.has(id));
  if (missing !== undefined) throw cardNotFound(missing);
}

/** A service point the partner has no active contract for is SERVICE_POINT_NOT_FOUND, as an unknown one. */
async function requireServicePointInReach(db: Queryable, partnerId: string, servicePointId: string): Promise<void> {
  const [row] = await db.query(`SELECT 1 WHERE ${servicePointInReach('$1', '$2')}`, [partnerId, servicePointId]);
  if (!row) throw servicePointNotFound(servicePointId);
}

/** The checks every simulation begins with: a sandbox, the card and the service point it names within the partner's reach. */
async function simulationOf(db: Queryable, actor: Actor, reach: { cardIds: readonly string[]; servicePointId?: string }): Promise<Actor> {
  await requireSandbox(db, WHAT);
  const partnerId = partnerIdOf(actor);
  if (reach.servicePointId !== undefined) await requireServicePointInReach(db, partnerId, reach.servicePointId);
  await requireCardsInReach(db, partnerId, reach.cardIds);
  return simulatorActor(actor);
}

/** A station's payment at the pump (recordPayment, the Core API's payment). */
export async function simulatePayment(db: Database, vault: CardVault, actor: Actor, request: IdempotentRequest, input: PaymentCreate): Idempotent<Simulation> {
  const station = await simulationOf(db, actor, { cardIds: [input.cardId], servicePointId: input.servicePointId });
  const { data, replayed } = await recordPayment(db, vault, station, request, input);
  return { data: { simulation: 'payment', resourceType: 'operation', resourceIds: [data.id], cardIds: [input.cardId] }, replayed };
}

/** A station's pay-at-pump authorisation (authorize, the Core API's). */
export async function simulateAuthorization(
  db: Database,
  vault: CardVault,
  actor: Actor,
  request: IdempotentRequest,
  input: AuthorizationCreate,
): Idempotent<Simulation> {
  const station = await simulationOf(db, actor, { cardIds: [input.cardId], servicePointId: input.servicePointId });
  const { data, replayed } = await authorize(db, vault, station, request, input);
  return { data: { simulation: 'authorization', resourceType: 'authorization', resourceIds: [data.id], cardIds: [input.cardId] }, replayed };
}

/** An open hold on a card within reach reaches its expiry now (timeOutHold: released as the expiry sweep releases it). */
export async function simulateHoldTimeOut(db: Database, actor: Actor, authorizationId: string): Promise<Simulation> {
  await requireSandbox(db, WHAT);
  const [hold] = await db.query<{ card_id: string }>(
    `SELECT h.card_id FROM ledger_holds h JOIN cards k ON k.id = h.card_id WHERE h.id = $2 AND ${cardInReach('$1', 'k')}`,
    [partnerIdOf(actor), authorizationId],
  );
  if (!hold) throw authorizationNotFound(authorizationId);
  const expired = await timeOutHold(db, authorizationId);
  return { simulation: 'hold-time-out', resourceType: 'authorization', resourceIds: [expired.id], cardIds: [hold.card_id] };
}

/**
 * The issuer suspends, opposes or reactivates a card (transitionCard, the back office's), or
 * expires it now in its world (setCardExpiry without a date, the Core API's).
 */
export async function simulateCardStatus(db: Database, actor: Actor, cardId: string, input: SimulatedCardStatus): Promise<Simulation> {
  const issuer = await simulationOf(db, actor, { cardIds: [cardId] });
  if (input.action === 'expire') await setCardExpiry(db, issuer, cardId, { reason: input.reason });
  else await transitionCard(db, issuer, cardId, input.action, input.reason);
  return { simulation: 'card-status', resourceType: 'card', resourceIds: [cardId], cardIds: [cardId] };
}

/** A terminal's offline batch arrives (uploadOfflineFills, the Core API's upload). */
export async function simulateOfflineBatch(db: Database, actor: Actor, servicePointId: string, batch: OfflineFillBatch): Promise<Simulation> {
  const cardIds = [...new Set(batch.fills.map((fill) => fill.cardId))];
  const terminal = await simulationOf(db, actor, { cardIds, servicePointId });
  const result = await uploadOfflineFills(db, terminal, servicePointId, batch);
  const booked = result.results.flatMap((fill) => (fill.operationId ? [fill.operationId] : []));
  return { simulation: 'offline-batch', resourceType: 'operation', resourceIds: booked, cardIds };
}

/**
 * The issuer's recharge voucher for one card: entered, validated and executed through the
 * vouchers' own steps, paid from the issuer's float, in one transaction (the caller's when `db`
 * is one: the handler's under an Idempotency-Key), so a refusal at any step leaves no voucher.
 * Each call is a new voucher.
 */
export async function simulateVoucherExecution(db: Queryable, actor: Actor, input: SimulatedVoucher): Promise<Simulation> {
  return db.transaction(async (tx) => {
    const issuer = await simulationOf(tx, actor, { cardIds: [input.cardId] });
    const entered = await createOrder(tx, issuer, {
      type: 'recharge',
      lines: [{ cardId: input.cardId, amount: input.amount }],
      reason: 'Simulation du bac à sable',
    });
    await stepOrder(tx, issuer, entered.id, 'validate');
    const executed = await executeValidatedOrder(tx, issuer, entered.id);
    return { simulation: 'voucher-execution', resourceType: 'operation', resourceIds: executed.operationIds, cardIds: [input.cardId] };
  });
}
