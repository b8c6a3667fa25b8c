/**
 * Where the resources a Core path names sit, for judging an operator's scope of authority
 * (src/domain/operators/authority.ts): each through its owner's find function, with the
 * owner's answer to an unknown id. Composed here, beside the domain, because the resources
 * belong to areas on every level of it (cards, referential, fleet, the ledger, payments).
 */
import type { Queryable } from '../db/database';
import type { Actor } from '../domain/actor';
import { cardNotFound, findCard } from '../domain/cards/cards';
import { driverNotFound, findDriver } from '../domain/fleet/drivers';
import { findVehicle, vehicleNotFound } from '../domain/fleet/vehicles';
import { findOperation, operationNotFound } from '../domain/ledger/operations-read';
import type { Placings } from '../domain/operators/authority';
import { authorizationNotFound, findAuthorization } from '../domain/payments/holds';
import { clientNotFound, findClient } from '../domain/referential/clients';
import { findNetwork, networkNotFound } from '../domain/referential/networks';
import { findServicePoint, servicePointNotFound } from '../domain/referential/service-points';

/** A card sits at its client company (a member card) or its service point (an E-service card). */
async function cardPlace(db: Queryable, actor: Actor, id: string): Promise<string | null> {
  const card = await findCard(db, actor, id);
  return card.clientId ?? card.servicePointId ?? null;
}

/** The path parameters that name a placed resource, in the order they are judged. */
export const OPERATOR_PLACINGS: Placings = [
  ['cardId', { find: async (db, actor, id) => [await cardPlace(db, actor, id)], notFound: cardNotFound }],
  ['clientId', { find: async (db, actor, id) => [(await findClient(db, actor, id)).id], notFound: clientNotFound }],
  ['servicePointId', { find: async (db, actor, id) => [(await findServicePoint(db, actor, id)).id], notFound: servicePointNotFound }],
  ['networkId', { find: async (db, actor, id) => [(await findNetwork(db, actor, id)).id], notFound: networkNotFound }],
  ['vehicleId', { find: async (db, actor, id) => [(await findVehicle(db, actor, id)).clientId], notFound: vehicleNotFound }],
  ['driverId', { find: async (db, actor, id) => [(await findDriver(db, actor, id)).clientId], notFound: driverNotFound }],
  [
    'operationId',
    {
      find: async (db, actor, id) => {
        const operation = await findOperation(db, actor, id);
        const cards = [operation.debit.cardId, operation.credit.cardId].filter((card): card is string => card !== null && card !== undefined);
        return [operation.servicePointId, ...(await Promise.all(cards.map((card) => cardPlace(db, actor, card))))];
      },
      notFound: operationNotFound,
    },
  ],
  [
    'authorizationId',
    {
      find: async (db, actor, id) => {
        const authorization = await findAuthorization(db, actor, id);
        return [authorization.servicePointId, await cardPlace(db, actor, authorization.cardId)];
      },
      notFound: authorizationNotFound,
    },
  ],
];
