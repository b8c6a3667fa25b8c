/**
 * Clients' price agreements (a discount per litre off the pump price, or a negotiated price
 * per litre, per client and energy type, dated like the prices: never overwritten), and what a
 * fuel payment's price is checked against: the price in force, the price tolerance of the
 * service point or its network, and the client's agreement in force.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import { newId } from '../ids';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import { Money } from '../money';
import { findClient } from './clients';
import { findEnergyTypeRow } from './energy-types';

export type PriceAgreement = components['schemas']['PriceAgreement'];
type PriceAgreementCreate = components['schemas']['PriceAgreementCreate'];
export type PriceTolerance = NonNullable<components['schemas']['PriceTolerance']>;

/** Agreements and tolerances are XOF per litre. */
export const PRICE_UNIT = 'XOF' as const;

interface AgreementRow {
  seq: string;
  id: string;
  client_id: string;
  energy_type_code: string;
  kind: PriceAgreement['kind'];
  value: string;
  effective_at: Date;
  comment: string | null;
  created_at: Date;
}

const toAgreement = (row: AgreementRow): PriceAgreement => ({
  id: row.id,
  clientId: row.client_id,
  energyTypeCode: row.energy_type_code,
  kind: row.kind,
  value: { value: Money.fromStored(row.value, PRICE_UNIT).toApi().value, unit: PRICE_UNIT },
  effectiveAt: row.effective_at.toISOString(),
  comment: row.comment,
  createdAt: row.created_at.toISOString(),
});

export async function listPriceAgreements(
  db: Queryable,
  actor: Actor,
  clientId: string,
  filters: { energyTypeCode?: string },
  page: PageInput,
): Promise<Page<PriceAgreement>> {
  await findClient(db, actor, clientId);
  return pageOfRows(
    db,
    'client_price_agreements',
    [
      ['client_id = ?', clientId],
      ['energy_type_code = ?', filters.energyTypeCode],
    ],
    page,
    toAgreement,
  );
}

/** Adds a client's agreement for an energy type, effective after its latest one for that energy type (PRICE_AGREEMENT_NOT_AFTER_LATEST). */
export async function addPriceAgreement(db: Queryable, actor: Actor, clientId: string, input: PriceAgreementCreate): Promise<PriceAgreement> {
  if (input.kind === 'price' && input.value.value < 1) {
    throw new AppError('VALIDATION_FAILED', 'A negotiated price is at least 1 XOF a litre', {
      errors: [{ path: '/body/value/value', message: 'must be at least 1' }],
    });
  }
  const effectiveAt = new Date(input.effectiveAt);
  return db.transaction(async (tx) => {
    await findClient(tx, actor, clientId, true); // serialises the client's agreements
    await findEnergyTypeRow(tx, actor, input.energyTypeCode);
    const [latest] = await tx.query<{ effective_at: Date | null }>(
      'SELECT max(effective_at) AS effective_at FROM client_price_agreements WHERE client_id = $1 AND energy_type_code = $2',
      [clientId, input.energyTypeCode],
    );
    if (latest?.effective_at && effectiveAt.getTime() <= latest.effective_at.getTime()) {
      throw new AppError(
        'PRICE_AGREEMENT_NOT_AFTER_LATEST',
        `The latest agreement of client ${clientId} for ${input.energyTypeCode} takes effect at ${latest.effective_at.toISOString()}; a new one must come after it`,
      );
    }
    try {
      const [row] = await tx.query<AgreementRow>(
        `INSERT INTO client_price_agreements (id, client_id, energy_type_code, kind, value, effective_at, comment)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [newId('pag'), clientId, input.energyTypeCode, input.kind, input.value.value, effectiveAt, input.comment?.trim() ?? null],
      );
      const agreement = toAgreement(row);
      await recordAudit(tx, actor, { action: 'price-agreement.created', resourceType: 'client', resourceId: clientId, before: null, after: agreement });
      return agreement;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('PRICE_AGREEMENT_NOT_AFTER_LATEST', 'An agreement with this effective instant exists');
      throw error;
    }
  });
}

/** What a fill's price is checked against, at an instant: see fuelPricing. */
export interface FuelPricing {
  /** Whether the energy type exists. */
  known: boolean;
  /** The energy type's price incl. tax in force (XOF per litre), or null. */
  priceInForce: bigint | null;
  /** The price tolerance that applies and where it was set (null: the default). */
  tolerance: { rule: PriceTolerance; source: 'service-point' | 'network' } | null;
  /** The client's agreement in force for the energy type, or null. */
  agreement: { id: string; kind: PriceAgreement['kind']; value: bigint } | null;
}

/**
 * In one query: the energy type's price in force at `at`, the price tolerance of the service
 * point (or else of its network) and the client's price agreement in force at `at`.
 */
export async function fuelPricing(tx: Queryable, energyTypeCode: string, clientId: string | null, servicePointId: string, at: Date): Promise<FuelPricing> {
  const [row] = await tx.query<{
    known: boolean;
    price: string | null;
    point_tolerance: PriceTolerance | null;
    network_tolerance: PriceTolerance | null;
    agreement_id: string | null;
    agreement_kind: PriceAgreement['kind'] | null;
    agreement_value: string | null;
  }>(
    `SELECT EXISTS (SELECT 1 FROM energy_types WHERE code = $1) AS known,
            (SELECT price_incl_tax FROM energy_prices WHERE energy_type_code = $1 AND effective_at <= $4 ORDER BY effective_at DESC LIMIT 1)::text AS price,
            sp.price_tolerance AS point_tolerance, n.price_tolerance AS network_tolerance,
            a.id AS agreement_id, a.kind AS agreement_kind, a.value::text AS agreement_value
       FROM (SELECT 1) one
       LEFT JOIN service_points sp ON sp.id = $3
       LEFT JOIN networks n ON n.id = sp.network_id
       LEFT JOIN LATERAL (SELECT id, kind, value FROM client_price_agreements
                           WHERE client_id = $2 AND energy_type_code = $1 AND effective_at <= $4 ORDER BY effective_at DESC LIMIT 1) a ON true`,
    [energyTypeCode, clientId, servicePointId, at],
    { prepare: true },
  );
  const tolerance = row.point_tolerance
    ? { rule: row.point_tolerance, source: 'service-point' as const }
    : row.network_tolerance
      ? { rule: row.network_tolerance, source: 'network' as const }
      : null;
  return {
    known: row.known,
    priceInForce: row.price === null ? null : BigInt(row.price),
    tolerance,
    agreement: row.agreement_id
      ? { id: row.agreement_id, kind: row.agreement_kind as PriceAgreement['kind'], value: BigInt(row.agreement_value as string) }
      : null,
  };
}
