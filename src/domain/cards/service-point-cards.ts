/** A service point is created with its E-service card, the account its payments are credited to. */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/audit';
import { addServicePoint, findServicePoint, type ServicePoint } from '../referential/service-points';
import type { CardVault } from './card-numbers';
import { issueEServiceCard } from './cards';

type ServicePointCreate = components['schemas']['ServicePointCreate'];

/** Creates the service point and its E-service card in one transaction; with `reveal`, the answer carries the card's number. */
export async function createServicePoint(db: Queryable, vault: CardVault, actor: Actor, input: ServicePointCreate, reveal: boolean): Promise<ServicePoint> {
  return db.transaction(async (tx) => {
    const id = await addServicePoint(tx, actor, input);
    const { number } = await issueEServiceCard(tx, vault, actor, id);
    const servicePoint = await findServicePoint(tx, actor, id);
    await recordAudit(tx, actor, { action: 'service-point.created', resourceType: 'service-point', resourceId: id, before: null, after: servicePoint });
    return reveal ? { ...servicePoint, eServiceCard: { ...servicePoint.eServiceCard, number } } : servicePoint;
  });
}
