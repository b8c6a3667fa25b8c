/**
 * The 3rd Party API's recharges: a partner moves value from its float to a
 * card of a client it is contracted for, exactly once per Idempotency-Key, within its limits.
 *
 * The limits hold under concurrency: per operation before anything is locked; per card per
 * day under the card's row lock (posting's `authorise`); per day in a counter updated just
 * before COMMIT, after posting has locked the partner's float (the hot account: see
 * posting.ts), so concurrent recharges of one partner count one after another.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { Money, type StoredAmount } from '../money';
import { partnerIdOf, type Actor } from '../actor';
import { idempotent, type IdempotentRequest } from '../idempotency';
import { partnerFloatAccount, type AccountKey } from '../ledger/accounts';
import { checkReceivingCard } from '../payments/card-rules';
import { uniquely } from '../payments/operations';
import { post } from '../ledger/posting';
import { toPartnerOperation } from './operations';
import { cardInReach } from './reach';
import { countInDay, limitBreach, rechargedToCardToday, TODAY, type LimitRow } from '../partners/recharge-limits';

type PartnerRechargeCreate = components['schemas']['PartnerRechargeCreate'];
type PartnerOperation = components['schemas']['PartnerOperation'];
type PartnerFloat = components['schemas']['PartnerFloat'];

interface RechargeSides {
  credit: AccountKey;
  debit: AccountKey | null;
  limits: LimitRow | undefined;
}

/**
 * In one statement: the card's account in the unit, if the card is a member card of a client
 * the partner is contracted for (CARD_NOT_FOUND otherwise, as for an unknown card; then
 * UNIT_NOT_HELD), the partner's float in the unit (null before its first funding) and its
 * recharge limits in it.
 */
async function rechargeSides(tx: Queryable, partnerId: string, cardId: string, unit: string): Promise<RechargeSides> {
  const [row] = await tx.query<{
    card: string | null;
    card_account: string | null;
    card_stored: boolean;
    float_account: string | null;
    per_operation: StoredAmount | null;
    per_day: StoredAmount | null;
    per_card_per_day: StoredAmount | null;
    limited: boolean;
  }>(
    `SELECT c.id AS card, ca.id AS card_account, ca.stored_balance AS card_stored, fa.id AS float_account,
            l.per_operation, l.per_day, l.per_card_per_day, l.partner_id IS NOT NULL AS limited
       FROM (SELECT 1) one
       LEFT JOIN cards c ON c.id = $1 AND ${cardInReach('$2', 'c')}
       LEFT JOIN ledger_accounts ca ON ca.card_id = c.id AND ca.unit_code = $3
       LEFT JOIN ledger_accounts fa ON fa.partner_id = $2 AND fa.unit_code = $3
       LEFT JOIN partner_recharge_limits l ON l.partner_id = $2 AND l.unit_code = $3`,
    [cardId, partnerId, unit],
    { prepare: true },
  );
  if (!row.card) throw new AppError('CARD_NOT_FOUND', `No card ${cardId}`);
  if (!row.card_account)
    throw new AppError('UNIT_NOT_HELD', `Card ${cardId} holds no balance in ${unit}`, {
      errors: [{ path: '/body/amount/unit', message: 'a unit the card does not hold' }],
    });
  const side = (id: string, kind: AccountKey['kind'], stored: boolean): AccountKey => ({
    id,
    kind,
    card_id: kind === 'card' ? cardId : null,
    partner_id: kind === 'partner-float' ? partnerId : null,
    unit_code: unit,
    non_negative: true,
    stored_balance: stored,
  });
  return {
    credit: side(row.card_account, 'card', row.card_stored),
    debit: row.float_account === null ? null : side(row.float_account, 'partner-float', true),
    limits: row.limited ? { unit_code: unit, per_operation: row.per_operation, per_day: row.per_day, per_card_per_day: row.per_card_per_day } : undefined,
  };
}

/** Recharges a contracted card from the partner's float. */
export function rechargeCard(
  db: Database,
  actor: Actor,
  request: IdempotentRequest,
  input: PartnerRechargeCreate,
): Promise<{ data: PartnerOperation; replayed: boolean }> {
  const partnerId = partnerIdOf(actor);
  return idempotent(db, actor, request, async (tx) => {
    const amount = Money.fromApi(input.amount);
    const { credit, debit: float, limits } = await rechargeSides(tx, partnerId, input.cardId, amount.unit);
    const perOperation = limits?.per_operation ?? null;
    if (perOperation !== null && amount.minor > BigInt(perOperation)) throw limitBreach('perOperation', BigInt(perOperation), 0n, amount);
    const debit = float ?? (await partnerFloatAccount(tx, partnerId, amount.unit)); // opened at zero: the float's bound refuses
    const recharge = await uniquely(
      'ledger_operations_external_reference',
      new AppError('EXTERNAL_REFERENCE_REUSED', `The partner already has an operation with external reference ${input.externalReference}`),
      () =>
        post(tx, actor, {
          type: 'recharge',
          amount,
          debit,
          credit,
          fields: { partnerId, externalReference: input.externalReference, comment: input.comment },
          authorise: async (cards) => {
            checkReceivingCard(cards, input.cardId);
            const perCard = limits?.per_card_per_day ?? null;
            if (perCard === null) return;
            const used = await rechargedToCardToday(tx, partnerId, credit.id);
            if (used + amount.minor > BigInt(perCard)) throw limitBreach('perCardPerDay', BigInt(perCard), used, amount);
          },
        }),
    );
    tx.beforeCommit(() => countInDay(tx, partnerId, amount, limits));
    return toPartnerOperation(recharge, partnerId);
  });
}

interface FloatRow {
  unit_code: string;
  posted: StoredAmount | null;
  held: StoredAmount | null;
  per_operation: StoredAmount | null;
  per_day: StoredAmount | null;
  per_card_per_day: StoredAmount | null;
  day: string;
  recharged: StoredAmount | null;
  recharges: number | null;
}

const orNull = (value: StoredAmount | null) => (value === null ? null : Number(value));

/** The partner's floats (and units it has limits in), with today's use of its limits; one statement. */
export async function partnerFloats(db: Queryable, actor: Actor): Promise<{ floats: PartnerFloat[] }> {
  const rows = await db.query<FloatRow>(
    `SELECT u.unit_code, a.posted, a.held, l.per_operation, l.per_day, l.per_card_per_day, ${TODAY}::text AS day, d.total AS recharged, d.count AS recharges
       FROM (SELECT unit_code FROM ledger_accounts WHERE partner_id = $1 UNION SELECT unit_code FROM partner_recharge_limits WHERE partner_id = $1) u
       LEFT JOIN ledger_accounts a ON a.partner_id = $1 AND a.unit_code = u.unit_code
       LEFT JOIN partner_recharge_limits l ON l.partner_id = $1 AND l.unit_code = u.unit_code
       LEFT JOIN partner_recharge_days d ON d.partner_id = $1 AND d.unit_code = u.unit_code AND d.day = ${TODAY}
      ORDER BY u.unit_code`,
    [partnerIdOf(actor)],
    { prepare: true },
  );
  return {
    floats: rows.map((row) => {
      const posted = Money.fromStored(row.posted ?? '0', row.unit_code);
      const held = Money.fromStored(row.held ?? '0', row.unit_code);
      return {
        unit: row.unit_code,
        posted: posted.toApi(),
        held: held.toApi(),
        available: posted.subtract(held).toApi(),
        limits: { perOperation: orNull(row.per_operation), perDay: orNull(row.per_day), perCardPerDay: orNull(row.per_card_per_day) },
        today: { day: row.day, timeZone: 'UTC', recharged: Number(row.recharged ?? 0), recharges: row.recharges ?? 0 },
      };
    }),
  };
}
