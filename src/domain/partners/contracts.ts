/**
 * Partner contracts: the clients whose member cards and the service points
 * a partner may act on through the 3rd Party API. The partner gateway's reads and writes look
 * a card or a service point up through them (contractedCard, contractedServicePoint): outside
 * its active contracts, an id answers exactly as an unknown one, from the same single query.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import { newId } from '../ids';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import type { Actor } from '../actor';
import { findClient } from '../referential/clients';
import { findServicePoint } from '../referential/service-points';
import { findPartner, partnerInReach } from './partners';

type PartnerContract = components['schemas']['PartnerContract'];
type PartnerContractCreate = components['schemas']['PartnerContractCreate'];

interface ContractRow {
  seq: string;
  id: string;
  partner_id: string;
  client_id: string | null;
  service_point_id: string | null;
  started_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}

const toContract = (row: ContractRow): PartnerContract => ({
  id: row.id,
  partnerId: row.partner_id,
  clientId: row.client_id,
  servicePointId: row.service_point_id,
  status: row.ended_at === null ? 'active' : 'ended',
  startedAt: row.started_at.toISOString(),
  endedAt: row.ended_at?.toISOString() ?? null,
  endReason: row.end_reason,
});

/** The partner's contracts, oldest first (PARTNER_NOT_FOUND for an unknown partner). */
export async function listPartnerContracts(
  db: Queryable,
  actor: Actor,
  partnerId: string,
  status: PartnerContract['status'] | undefined,
  page: PageInput,
): Promise<Page<PartnerContract>> {
  await findPartner(db, actor, partnerId);
  return pageOfRows(
    db,
    'partner_contracts',
    [
      ['partner_id = ?', partnerId],
      [status === 'active' ? 'ended_at IS NULL' : 'ended_at IS NOT NULL', status],
    ],
    page,
    toContract,
  );
}

/** Contracts the partner for a client's cards or a service point; audited. Never the caller's own contracts. */
export async function createPartnerContract(db: Queryable, actor: Actor, partnerId: string, input: PartnerContractCreate): Promise<PartnerContract> {
  return db.transaction(async (tx) => {
    await partnerInReach(tx, actor, partnerId, 'contracts');
    if (input.clientId !== undefined) await findClient(tx, actor, input.clientId);
    else await findServicePoint(tx, actor, input.servicePointId as string);
    let row: ContractRow;
    try {
      [row] = await tx.query<ContractRow>('INSERT INTO partner_contracts (id, partner_id, client_id, service_point_id) VALUES ($1, $2, $3, $4) RETURNING *', [
        newId('ctr'),
        partnerId,
        input.clientId ?? null,
        input.servicePointId ?? null,
      ]);
    } catch (error) {
      if (isUniqueViolation(error, 'partner_contracts_active_client') || isUniqueViolation(error, 'partner_contracts_active_service_point')) {
        throw new AppError('CONTRACT_EXISTS', `Partner ${partnerId} already has an active contract for ${input.clientId ?? input.servicePointId}`);
      }
      throw error;
    }
    const contract = toContract(row);
    await recordAudit(tx, actor, { action: 'partner-contract.created', resourceType: 'partner-contract', resourceId: row.id, before: null, after: contract });
    return contract;
  });
}

/**
 * Ends an active contract with its reason (never the caller's own), in the caller's
 * transaction; audited. Ending a service point contract also voids the partner's open
 * authorisations there: payments/holds.ts endPartnerContract runs both in one transaction.
 */
export async function endContract(tx: Queryable, actor: Actor, partnerId: string, contractId: string, reason: string): Promise<PartnerContract> {
  await partnerInReach(tx, actor, partnerId, 'contracts');
  const [row] = await tx.query<ContractRow>('SELECT * FROM partner_contracts WHERE id = $1 AND partner_id = $2 FOR UPDATE', [contractId, partnerId]);
  if (!row) throw new AppError('CONTRACT_NOT_FOUND', `Partner ${partnerId} has no contract ${contractId}`);
  if (row.ended_at !== null) throw new AppError('CONTRACT_ENDED', `Contract ${contractId} ended at ${row.ended_at.toISOString()}`);
  const [ended] = await tx.query<ContractRow>('UPDATE partner_contracts SET ended_at = now(), end_reason = $2 WHERE id = $1 RETURNING *', [contractId, reason]);
  const contract = toContract(ended);
  await recordAudit(tx, actor, {
    action: 'partner-contract.ended',
    resourceType: 'partner-contract',
    resourceId: contractId,
    before: toContract(row),
    after: contract,
  });
  return contract;
}
