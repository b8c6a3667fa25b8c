/**
 * A station's daily settlement as its own system reads it: the settlement of a service point
 * the partner has an active contract for (reach.ts), as the Core API gives it; any other
 * service point answers as an unknown one.
 */
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { partnerIdOf, type Actor } from '../actor';
import { checkSettlementDay, servicePointSettlement, type ServicePointSettlement } from '../payments/settlements';
import { servicePointInReach } from './reach';

export async function partnerServicePointSettlement(
  db: Queryable,
  actor: Actor,
  servicePointId: string,
  day: string,
  unit: string,
): Promise<ServicePointSettlement> {
  checkSettlementDay(day);
  const [{ contracted }] = await db.query<{ contracted: boolean }>(`SELECT ${servicePointInReach('$1', '$2')} AS contracted`, [
    partnerIdOf(actor),
    servicePointId,
  ]);
  if (!contracted) throw new AppError('SERVICE_POINT_NOT_FOUND', `No service point ${servicePointId}`);
  return servicePointSettlement(db, actor, servicePointId, day, unit);
}
