/**
 * Pay-at-pump authorisations: a hold on a card account's available balance (the account's
 * `held`, the sum of its open holds), made after the same checks as a payment; captured for
 * the dispensed amount (a payment, the rest released), voided, or expired by the sweep; the
 * end of a partner's service point contract voids the holds the partner placed there.
 *
 * Lock order: the hold row, then the cards, then the accounts (the ledger's order after it).
 * The capture records the payment without checking the card again: the authorisation was
 * the decision, and the fuel is already in the tank.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { AppError } from '../app-error';
import { newId } from '../ids';
import { Money, type StoredAmount } from '../money';
import type { Actor } from '../actor';
import { idempotent, type IdempotentRequest } from '../idempotency';
import { recordCardEvents } from '../events/events';
import { checkReceivingCard, checkSpendingCard } from './card-rules';
import { priceFill } from './pricing';
import { insufficientFunds, lockLedger, post } from '../ledger/posting';
import { recordDecline, RefusalView } from './declines';
import { raiseExceptions, softRuleExceptions } from './exceptions';
import { applyControls, placed, spendsFor } from './spending-checks';
import { checkDriver, driverChecked, fillExceptions } from './fleet-checks';
import type { CardVault } from '../cards/card-numbers';
import { sizeAuthorization, sizedAttempt, type LitreRate } from './pump-sizing';
import { priceInForce } from '../referential/energy-types';
import { changeHeld, type AccountRow } from '../ledger/accounts';
import { paymentAccounts, type SpendingContext } from './payment-accounts';
import { endContract } from '../partners/contracts';
import { checkStationReference, stationReferenceUnique } from './hold-references';

type AccountBalance = Pick<AccountRow, 'posted' | 'held' | 'version'>;

export type Authorization = components['schemas']['Authorization'];
type AuthorizationCreate = components['schemas']['AuthorizationCreate'];
type AuthorizationCapture = components['schemas']['AuthorizationCapture'];
type PartnerContract = components['schemas']['PartnerContract'];

/** How long a hold lasts when the authorisation does not say. */
export const DEFAULT_HOLD_SECONDS = 900;

export interface HoldRow {
  seq: string;
  xact: string;
  id: string;
  status: Authorization['status'];
  account_id: string;
  card_id: string;
  service_point_id: string;
  unit_code: string;
  amount: StoredAmount;
  service: Authorization['service'];
  requested_amount: StoredAmount;
  quantity_ml: StoredAmount | null;
  limited_by: Authorization['limitedBy'];
  energy_type_code: string | null;
  pump_number: number | null;
  station_reference: string | null;
  actor_kind: Actor['kind'];
  actor_id: string | null;
  vehicle_id: string | null;
  driver_check: Authorization['driverCheck'];
  expires_at: Date;
  captured_amount: StoredAmount | null;
  payment_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export const toAuthorization = (row: HoldRow): Authorization => ({
  id: row.id,
  status: row.status,
  cardId: row.card_id,
  servicePointId: row.service_point_id,
  amount: Money.fromStored(row.amount, row.unit_code).toApi(),
  requested: Money.fromStored(row.requested_amount, row.unit_code).toApi(),
  quantityMl: row.quantity_ml === null ? null : Number(row.quantity_ml),
  limitedBy: row.limited_by,
  service: row.service,
  energyTypeCode: row.energy_type_code,
  pumpNumber: row.pump_number,
  stationReference: row.station_reference,
  vehicleId: row.vehicle_id,
  driverCheck: row.driver_check,
  expiresAt: row.expires_at.toISOString(),
  captured: row.captured_amount === null ? null : Money.fromStored(row.captured_amount, row.unit_code).toApi(),
  paymentId: row.payment_id,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** What an unknown authorisation answers (and one outside an operator's scope of authority). */
export const authorizationNotFound = (id: string) => new AppError('AUTHORIZATION_NOT_FOUND', `No authorisation ${id}`);

/**
 * The hold, if it exists and, when `ownedBy` names a partner, that partner made it: another
 * partner's hold is AUTHORIZATION_NOT_FOUND from the same statement as an unknown id.
 */
export async function holdRow(tx: Queryable, id: string, ownedBy: string | null, forUpdate = false): Promise<HoldRow> {
  const [row] = await tx.query<HoldRow>(
    `SELECT * FROM ledger_holds WHERE id = $1 AND ($2::text IS NULL OR (actor_kind = 'partner' AND actor_id = $2))${forUpdate ? ' FOR UPDATE' : ''}`,
    [id, ownedBy],
  );
  if (!row) throw authorizationNotFound(id);
  return row;
}

/** One authorisation (with `ownedBy`, only one that partner made). */
export async function findAuthorization(db: Queryable, actor: Actor, id: string, ownedBy: string | null = null): Promise<Authorization> {
  return toAuthorization(await holdRow(db, id, ownedBy));
}

/** How litres convert to the authorisation's unit: its scale (litres), or the price in force of the named energy type (money). */
async function litreRate(tx: Queryable, unit: SpendingContext['unit'], energyTypeCode: string | null, at: Date): Promise<LitreRate | null> {
  if (unit.kind === 'volume') return { kind: 'volume', scale: unit.scale };
  if (energyTypeCode === null) return null;
  const price = await priceInForce(tx, energyTypeCode, at);
  return price && price.priceInclTax.unit === unit.code ? { kind: 'money', pricePerLitre: BigInt(price.priceInclTax.value) } : null;
}

/**
 * Holds, for a fill at the service point, the lowest of what is asked, the available balance,
 * the card's hard limits and its vehicle's tank (pump-sizing.ts), after the payment checks.
 */
export function authorize(
  db: Database,
  vault: CardVault,
  actor: Actor,
  request: IdempotentRequest,
  input: AuthorizationCreate,
): Promise<{ data: Authorization; replayed: boolean }> {
  return placeHold(db, vault, actor, request, input, async () => input.cardId);
}

/**
 * What the caller of an authorisation may not read of the card (a station system, that knows
 * only the number it read): no hold is sized by the balance (one the balance cannot cover is
 * refused for funds instead), and a refusal is answered as `refusal` rewrites it (the decline
 * keeps it whole, RefusalView).
 */
export interface Undisclosed {
  refusal: (refusal: AppError, cardId: string | null) => AppError;
}

/** authorize, the card found inside the transaction by `cardOf` (the 3rd Party API: by number, at a contracted service point). */
export function placeHold(
  db: Database,
  vault: CardVault,
  actor: Actor,
  request: IdempotentRequest,
  input: Omit<AuthorizationCreate, 'cardId'>,
  cardOf: (tx: Queryable) => Promise<string>,
  undisclosed?: Undisclosed,
): Promise<{ data: Authorization; replayed: boolean }> {
  const named = { at: new Date(), amount: Money.fromApi(input.amount), service: input.service, energyTypeCode: input.energyTypeCode ?? null, quantityMl: null };
  const asked = input.quantityMl === undefined ? null : BigInt(input.quantityMl);
  let cardId: string | null = null; // known once found: a refusal before that is no card's decline
  const view = new RefusalView(undisclosed && ((refusal) => undisclosed.refusal(refusal, cardId)));
  const declined = async (tx: Queryable, refusal: AppError) => {
    if (cardId !== null && refusal.codeName !== 'STATION_REFERENCE_REUSED')
      // the station's reference, not the card, is at fault
      await recordDecline(tx, actor, view.original(refusal), {
        ...named,
        quantityMl: asked,
        attempt: 'authorization',
        cardId,
        servicePointId: input.servicePointId,
      });
  };
  return idempotent(
    db,
    actor,
    request,
    (tx) =>
      hold(tx).catch((error: unknown) => {
        throw view.shown(error);
      }),
    declined,
  ).then(asStored);

  async function hold(tx: Queryable): Promise<Authorization> {
    const { amount } = named;
    const heldCard = await cardOf(tx);
    await checkStationReference(tx, actor.id, input.servicePointId, input.stationReference);
    cardId = heldCard;
    if (input.energyTypeCode !== undefined && input.service !== 'fuel') {
      throw new AppError('FUEL_RECORD_INVALID', `A ${input.service} authorisation names no energy type`, {
        errors: [{ path: '/body/energyTypeCode', message: 'only for service fuel' }],
      });
    }
    if (input.quantityMl !== undefined && input.energyTypeCode === undefined) {
      throw new AppError('FUEL_RECORD_INVALID', 'An authorisation in litres names its energy type', {
        errors: [{ path: '/body/energyTypeCode', message: 'required with quantityMl' }],
      });
    }
    const { debit: account, stationCardId, spending } = await paymentAccounts(tx, heldCard, input.servicePointId, amount.unit);
    named.at = spending.clock.now(); // its rules judge at the time of the card's world (clocks.ts)
    // A fill for a vehicle that runs on one fuel is of that fuel unless the station names another.
    const vehicleFuel = input.service === 'fuel' ? (spending.vehicle?.energyTypeCode ?? null) : null;
    const attempt = { ...named, energyTypeCode: named.energyTypeCode ?? vehicleFuel };
    const driverCheck = checkDriver(vault, spending, input.driverCode);
    const { cards, balances } = await lockLedger(tx, [heldCard, stationCardId], [account.id]);
    checkSpendingCard(cards, heldCard, input.service);
    checkReceivingCard(cards, stationCardId);
    const spends = await spendsFor(tx, spending, attempt.at);
    const locked = balances.get(account.id) as AccountBalance;
    const available = BigInt(locked.posted) - BigInt(locked.held);
    const sizing = sizeAuthorization(
      {
        controls: spending.controls,
        attempt: placed(spending, attempt),
        spends,
        available,
        quantityMl: asked,
        tankMl: spending.vehicle?.tankMl ?? null,
        rate: await litreRate(tx, spending.unit, attempt.energyTypeCode, attempt.at),
      },
      () => insufficientFunds(account, locked, Money.fromStored(available.toString(), amount.unit), amount),
    );
    // Cut to the balance, the hold would tell the balance: a caller that may not read it is refused instead.
    if (undisclosed && sizing.limitedBy === 'balance') throw insufficientFunds(account, locked, Money.fromStored(available.toString(), amount.unit), amount);
    const soft = applyControls(spending, sizedAttempt(placed(spending, attempt), sizing), spends);
    await changeHeld(tx, [{ accountId: account.id, delta: sizing.amount }]);
    const [row] = await stationReferenceUnique(input.servicePointId, input.stationReference, () =>
      tx.query<HoldRow>(
        `INSERT INTO ledger_holds (id, status, account_id, card_id, service_point_id, unit_code, amount, requested_amount, quantity_ml, limited_by, service, energy_type_code,
         pump_number, vehicle_id, driver_check, expires_at, actor_kind, actor_id, actor_name, channel, request_id, station_reference)
       VALUES ($1, 'open', $2, $3, $4, $5, $6::bigint, $7::bigint, $8::bigint, $9, $10, $11, $12, $13, $14, now() + make_interval(secs => $15), $16, $17, $18, $19, $20, $21) RETURNING *`,
        [
          newId('hld'),
          account.id,
          heldCard,
          input.servicePointId,
          amount.unit,
          sizing.amount.toString(),
          amount.toStored(),
          sizing.quantityMl?.toString() ?? null,
          sizing.limitedBy,
          input.service,
          attempt.energyTypeCode,
          input.pumpNumber ?? null,
          spending.vehicle?.id ?? null,
          driverCheck,
          input.holdSeconds ?? DEFAULT_HOLD_SECONDS,
          actor.kind,
          actor.id,
          actor.name,
          actor.channel,
          actor.requestId,
          input.stationReference ?? null,
        ],
      ),
    );
    const authorization = toAuthorization(row);
    await recordCardEvents(tx, [
      { type: 'hold.created', resourceType: 'authorization', resourceId: row.id, data: authorization, cardIds: [heldCard], partnerId: placedBy(row) },
    ]);
    await raiseExceptions(tx, { cardId: heldCard, clientId: spending.clientId as string, authorizationId: row.id }, softRuleExceptions(soft));
    return authorization;
  }
}

/** An answer as stored with its key: one stored before migration 030 has no `stationReference` (none was given then). */
const asStored = ({ data, replayed }: { data: Authorization; replayed: boolean }) => ({
  data: { ...data, stationReference: data.stationReference ?? null },
  replayed,
});

/** The open, unexpired hold, locked; the refusal that fits otherwise. */
async function openHold(tx: Queryable, id: string, ownedBy: string | null): Promise<HoldRow> {
  const hold = await holdRow(tx, id, ownedBy, true);
  if (hold.status === 'expired' || (hold.status === 'open' && hold.expires_at.getTime() <= Date.now())) {
    throw new AppError('AUTHORIZATION_EXPIRED', `Authorisation ${id} expired at ${hold.expires_at.toISOString()}; its hold is released`);
  }
  if (hold.status !== 'open') throw new AppError('AUTHORIZATION_SETTLED', `Authorisation ${id} is already ${hold.status}`);
  return hold;
}

/** Releases the holds' amounts from their accounts' `held`, in one statement (the caller holds the accounts' locks). */
async function release(tx: Queryable, holds: readonly HoldRow[]): Promise<void> {
  await changeHeld(
    tx,
    holds.map((hold) => ({ accountId: hold.account_id, delta: -BigInt(hold.amount) })),
  );
}

/** Releases locked open holds whole (their cards and accounts locked in the ledger's order) and settles them as `status`. */
async function closeHolds(tx: Queryable, holds: readonly HoldRow[], status: 'voided' | 'expired'): Promise<Authorization[]> {
  if (holds.length === 0) return [];
  await lockLedger(
    tx,
    holds.map((hold) => hold.card_id),
    holds.map((hold) => hold.account_id),
  );
  await release(tx, holds);
  return settle(tx, holds, status);
}

/** The partner that placed the hold (a station system), whose feed its events join; null for the Core API's. */
const placedBy = (hold: Pick<HoldRow, 'actor_kind' | 'actor_id'>) => (hold.actor_kind === 'partner' ? hold.actor_id : null);

/** Marks released holds settled and records their events. */
async function settle(
  tx: Queryable,
  holds: readonly HoldRow[],
  status: 'captured' | 'voided' | 'expired',
  payment?: { id: string; amount: Money },
): Promise<Authorization[]> {
  const rows = await tx.query<HoldRow>(
    'UPDATE ledger_holds SET status = $2, captured_amount = $3::bigint, payment_id = $4, updated_at = now() WHERE id = ANY($1) RETURNING *',
    [holds.map((hold) => hold.id), status, payment?.amount.toStored() ?? null, payment?.id ?? null],
  );
  const authorizations = rows.map(toAuthorization);
  await recordCardEvents(
    tx,
    authorizations.map((authorization, index) => ({
      type: `hold.${status}` as const,
      resourceType: 'authorization' as const,
      resourceId: authorization.id,
      data: authorization,
      cardIds: [authorization.cardId],
      partnerId: placedBy(rows[index]),
    })),
  );
  return authorizations;
}

/** A partner's own authorisations: only those it made, and the payment a capture records is its own, with its reference. */
export interface HoldOwner {
  partnerId: string;
  externalReference?: string;
  /** Refuses the capture of the (locked, open) hold when the partner may no longer take the payment at its service point. */
  mayCapture?: (tx: Queryable, servicePointId: string) => Promise<void>;
}

/** Records the payment of the dispensed amount (at most the hold) and releases the hold. */
export function captureAuthorization(
  db: Database,
  actor: Actor,
  request: IdempotentRequest,
  id: string,
  input: AuthorizationCapture,
  owner?: HoldOwner,
): Promise<{ data: Authorization; replayed: boolean }> {
  return idempotent(db, actor, request, async (tx) => {
    const hold = await openHold(tx, id, owner?.partnerId ?? null);
    await owner?.mayCapture?.(tx, hold.service_point_id);
    const held = Money.fromStored(hold.amount, hold.unit_code);
    if (input.amount.unit !== hold.unit_code || BigInt(input.amount.value) > held.minor) {
      throw new AppError('CAPTURE_EXCEEDS_HOLD', `Authorisation ${id} holds ${held.toStored()} ${held.unit}; ${input.amount.value} ${input.amount.unit} asked`);
    }
    if (input.amount.value === 0) return voidHold(tx, hold); // nothing dispensed
    if (hold.quantity_ml !== null && input.fuel && BigInt(input.fuel.quantityMl) > BigInt(hold.quantity_ml)) {
      throw new AppError('CAPTURE_EXCEEDS_HOLD', `Authorisation ${id} allows ${hold.quantity_ml} mL; ${input.fuel.quantityMl} mL dispensed`, {
        errors: [{ path: '/body/fuel/quantityMl', message: `at most ${hold.quantity_ml}` }],
      });
    }
    const dispensed = Money.fromApi(input.amount);
    if (hold.energy_type_code !== null && input.fuel && input.fuel.energyTypeCode !== hold.energy_type_code) {
      throw new AppError('FUEL_RECORD_INVALID', `Authorisation ${id} is for ${hold.energy_type_code}, not ${input.fuel.energyTypeCode}`, {
        errors: [{ path: '/body/fuel/energyTypeCode', message: `must be ${hold.energy_type_code}` }],
      });
    }
    const { debit, stationCardId, credit, spending } = await paymentAccounts(tx, hold.card_id, hold.service_point_id, dispensed.unit);
    const { amount, fuel, exceptions: onPrice } = await priceFill(tx, { service: hold.service, fuel: input.fuel }, dispensed, spending);
    await lockLedger(tx, [hold.card_id, stationCardId], [hold.account_id]);
    await release(tx, [hold]); // first: the payment is checked against the balance it frees
    try {
      const payment = await post(tx, actor, {
        type: 'payment',
        amount,
        debit,
        credit,
        fields: {
          servicePointId: hold.service_point_id,
          receiptNumber: input.receiptNumber,
          service: hold.service,
          fuel,
          pumpNumber: hold.pump_number,
          vehicleId: hold.vehicle_id,
          odometerKm: input.odometerKm,
          driverCheck: hold.driver_check,
          partnerId: owner?.partnerId,
          externalReference: owner?.externalReference,
        },
      });
      await driverChecked(tx, hold.card_id, hold.driver_check);
      const onVehicle = await fillExceptions(
        tx,
        { ...spending, vehicle: hold.vehicle_id === spending.vehicle?.id ? spending.vehicle : null },
        {
          operationId: payment.id,
          quantityMl: input.fuel ? BigInt(input.fuel.quantityMl) : null,
          odometerKm: input.odometerKm,
        },
      );
      await raiseExceptions(tx, { cardId: hold.card_id, clientId: spending.clientId as string, operationId: payment.id }, [...onVehicle, ...onPrice]);
      return (await settle(tx, [hold], 'captured', { id: payment.id, amount }))[0];
    } catch (error) {
      if (isUniqueViolation(error, 'ledger_operations_receipt'))
        throw new AppError('RECEIPT_NUMBER_REUSED', `Service point ${hold.service_point_id} has already recorded receipt ${input.receiptNumber}`);
      if (isUniqueViolation(error, 'ledger_operations_external_reference')) {
        throw new AppError(
          'EXTERNAL_REFERENCE_REUSED',
          `Partner ${owner?.partnerId} already has an operation with external reference ${owner?.externalReference}`,
        );
      }
      throw error;
    }
  }).then(asStored);
}

/** Releases the whole hold of an open authorisation (with `owner`, only one that partner made). */
export function voidAuthorization(
  db: Database,
  actor: Actor,
  request: IdempotentRequest,
  id: string,
  owner?: Pick<HoldOwner, 'partnerId'>,
): Promise<{ data: Authorization; replayed: boolean }> {
  return idempotent(db, actor, request, async (tx) => {
    return voidHold(tx, await openHold(tx, id, owner?.partnerId ?? null));
  }).then(asStored);
}

/** Releases an open hold whole (its row locked), as voided. */
async function voidHold(tx: Queryable, hold: HoldRow): Promise<Authorization> {
  return (await closeHolds(tx, [hold], 'voided'))[0];
}

/**
 * Releases open holds past their expiry, `limit` at a time; returns how many. Safe with
 * several instances: holds another sweep (or a capture) has locked are skipped.
 */
export async function expireHolds(db: Database, actor: Actor, limit = 100): Promise<number> {
  return db.transaction(async (tx) => {
    const holds = await tx.query<HoldRow>(
      "SELECT * FROM ledger_holds WHERE status = 'open' AND expires_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
      [limit],
    );
    if (holds.length === 0) return 0;
    await closeHolds(tx, holds, 'expired');
    return holds.length;
  });
}

/**
 * One open hold reaches its expiry now (a sandbox's simulation of a hold timing out): its expiry
 * is brought to this instant and it is released as expireHolds releases it (`hold.expired`). A
 * hold already settled is AUTHORIZATION_SETTLED.
 */
export async function timeOutHold(db: Database, id: string): Promise<Authorization> {
  return db.transaction(async (tx) => {
    const hold = await holdRow(tx, id, null, true);
    if (hold.status !== 'open') throw new AppError('AUTHORIZATION_SETTLED', `Authorisation ${id} is already ${hold.status}`);
    const [due] = await tx.query<HoldRow>('UPDATE ledger_holds SET expires_at = LEAST(expires_at, now()), updated_at = now() WHERE id = $1 RETURNING *', [id]);
    return (await closeHolds(tx, [due], 'expired'))[0];
  });
}

/**
 * The time of the clients' worlds moved forward by `seconds` (a sandbox's test clock,
 * clocks.ts), in the caller's transaction: their cards' open holds reach their expiry that much
 * sooner, and those now due are released as expireHolds releases them (`hold.expired`); returns
 * how many. Expiries stay on the database's clock, so the sweep keeps releasing the others on time.
 */
export async function advanceHolds(tx: Queryable, clientIds: readonly string[], seconds: number): Promise<number> {
  const holds = await tx.query<HoldRow & { due: boolean }>(
    `UPDATE ledger_holds SET expires_at = expires_at - make_interval(secs => $2), updated_at = now()
      WHERE id IN (SELECT h.id FROM ledger_holds h JOIN cards k ON k.id = h.card_id WHERE k.client_id = ANY($1::text[]) AND h.status = 'open' ORDER BY h.id FOR UPDATE OF h)
      RETURNING *, expires_at <= now() AS due`,
    [clientIds, seconds],
  );
  const due = holds.filter((hold) => hold.due).sort((a, b) => (a.id < b.id ? -1 : 1));
  if (due.length > 0) await closeHolds(tx, due, 'expired');
  return due.length;
}

/**
 * Voids, in the caller's transaction, the open holds a partner placed at a service point (its
 * contract there ends: nothing it authorised is captured afterwards); returns how many.
 */
async function voidPartnerHolds(tx: Queryable, partnerId: string, servicePointId: string): Promise<number> {
  const holds = await tx.query<HoldRow>(
    "SELECT * FROM ledger_holds WHERE status = 'open' AND actor_kind = 'partner' AND actor_id = $1 AND service_point_id = $2 ORDER BY id FOR UPDATE",
    [partnerId, servicePointId],
  );
  await closeHolds(tx, holds, 'voided');
  return holds.length;
}

/**
 * Ends a partner's contract (partners/contracts.ts) and, for a service point contract, voids
 * the open authorisations the partner placed there, in the same transaction: a station
 * captures nothing after its contract (and a hold placed while the contract ended is refused
 * at capture, station-payments.ts).
 */
export function endPartnerContract(db: Database, actor: Actor, partnerId: string, contractId: string, reason: string): Promise<PartnerContract> {
  return db.transaction(async (tx) => {
    const contract = await endContract(tx, actor, partnerId, contractId, reason);
    if (contract.servicePointId !== null) await voidPartnerHolds(tx, partnerId, contract.servicePointId);
    return contract;
  });
}
