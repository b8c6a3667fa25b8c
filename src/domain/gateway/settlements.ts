/**
 * A station's daily settlement as its own system reads it: the settlement of a service point
 * the partner has an active contract for (reach.ts), as the Core API gives it; any other
 * service point answers as an unknown one. Its list of days likewise.
 */
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { partnerIdOf, type Actor } from '../actor';
import {
  checkSettlementDay,
  listSettlementDays,
  servicePointSettlement,
  type ServicePointSettlement,
  type SettlementDayPage,
  type SettlementDaysQuery,
} from '../payments/settlements';
import { servicePointInReach } from './reach';

/** SERVICE_POINT_NOT_FOUND unless the partner has an active contract for the service point. */
async function checkInReach(db: Queryable, actor: Actor, servicePointId: string): Promise<void> {
  const [{ contracted }] = await db.query<{ contracted: boolean }>(`SELECT ${servicePointInReach('$1', '$2')} AS contracted`, [
    partnerIdOf(actor),
    servicePointId,
  ]);
  if (!contracted) throw new AppError('SERVICE_POINT_NOT_FOUND', `No service point ${servicePointId}`);
}

export async function partnerServicePointSettlement(
  db: Queryable,
  actor: Actor,
  servicePointId: string,
  day: string,
  unit: string,
): Promise<ServicePointSettlement> {
  checkSettlementDay(day);
  await checkInReach(db, actor, servicePointId);
  return servicePointSettlement(db, actor, servicePointId, day, unit);
}

/** The settlement days of a service point the partner is contracted for, as the Core API lists them. */
export async function partnerSettlementDays(db: Queryable, actor: Actor, servicePointId: string, query: SettlementDaysQuery): Promise<SettlementDayPage> {
  await checkInReach(db, actor, servicePointId);
  return listSettlementDays(db, actor, servicePointId, query);
}
