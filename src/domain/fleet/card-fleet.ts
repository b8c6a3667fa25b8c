/** A member card's links to a vehicle and a driver of its own client. */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import { findCard, type Card } from '../cards/cards';
import { fleetLinks, setFleetLinks } from '../cards/fleet-links';
import { findVehicle } from './vehicles';
import { findDriver } from './drivers';

type CardFleet = components['schemas']['CardFleet'];

/** The card's client and links, locked for the write; CARD_NOT_FOUND, or CARD_KIND_NOT_ALLOWED for an E-service card. */
async function memberCardLinks(tx: Queryable, cardId: string): Promise<{ clientId: string; links: CardFleet }> {
  const card = await fleetLinks(tx, cardId, true);
  if (!card) throw new AppError('CARD_NOT_FOUND', `No card ${cardId}`);
  if (card.kind !== 'member' || card.client_id === null)
    throw new AppError('CARD_KIND_NOT_ALLOWED', `Card ${cardId} is an E-service card; only member cards have a vehicle and a driver`);
  return { clientId: card.client_id, links: { vehicleId: card.vehicle_id, driverId: card.driver_id } };
}

/**
 * Checks one new link: the vehicle or driver (locked against a concurrent retirement) belongs
 * to the card's client and, unless the card already has it, is active.
 */
function checkLink(
  link: { id: string; clientId: string; status: string } | null,
  current: string | null,
  cardClientId: string,
  what: { noun: string; path: string; retired: 'VEHICLE_RETIRED' | 'DRIVER_RETIRED' },
): void {
  if (!link) return;
  if (link.clientId !== cardClientId) {
    throw new AppError('FLEET_CLIENT_MISMATCH', `The ${what.noun} ${link.id} belongs to client ${link.clientId}, the card to client ${cardClientId}`, {
      errors: [{ path: what.path, message: `a ${what.noun} of another client` }],
    });
  }
  if (link.status === 'retired' && link.id !== current) {
    throw new AppError(what.retired, `The ${what.noun} ${link.id} is retired`, { errors: [{ path: what.path, message: `a retired ${what.noun}` }] });
  }
}

/** Replaces a member card's vehicle and driver (null for none) after checking both; audited. */
export async function replaceCardFleet(db: Queryable, actor: Actor, cardId: string, input: CardFleet): Promise<Card> {
  return db.transaction(async (tx) => {
    const { clientId, links: before } = await memberCardLinks(tx, cardId);
    const vehicle = input.vehicleId === null ? null : await findVehicle(tx, actor, input.vehicleId, 'share');
    const driver = input.driverId === null ? null : await findDriver(tx, actor, input.driverId, 'share');
    checkLink(vehicle, before.vehicleId, clientId, { noun: 'vehicle', path: '/body/vehicleId', retired: 'VEHICLE_RETIRED' });
    checkLink(driver, before.driverId, clientId, { noun: 'driver', path: '/body/driverId', retired: 'DRIVER_RETIRED' });
    await setFleetLinks(tx, cardId, input.vehicleId, input.driverId);
    const after: CardFleet = { vehicleId: input.vehicleId, driverId: input.driverId };
    await recordAudit(tx, actor, { action: 'card-fleet.replaced', resourceType: 'card', resourceId: cardId, before, after });
    return findCard(tx, actor, cardId);
  });
}
