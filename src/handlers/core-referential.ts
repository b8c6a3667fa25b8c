/** Handlers of the `core-referential` tag: networks, clients and their price agreements, units, energy types and prices. */
import type { Handlers } from '../../generated/operations';
import { createClient, findClient, listClients, setClientStatus, updateClient } from '../domain/referential/clients';
import { addEnergyPrice, createEnergyType, findEnergyType, getPriceInForce, listEnergyPrices, listEnergyTypes } from '../domain/referential/energy-types';
import { createFuelTicket, findFuelTicket, listFuelTickets } from '../domain/referential/fuel-tickets';
import { createNetwork, findNetwork, listNetworks, updateNetwork } from '../domain/referential/networks';
import { findServicePoint, listServicePoints, updateServicePoint } from '../domain/referential/service-points';
import { createServicePoint } from '../domain/cards/service-point-cards';
import { createUnit, findUnit, listUnits } from '../domain/referential/units';
import { addPriceAgreement, listPriceAgreements } from '../domain/referential/price-agreements';
import { holdsScope } from '../domain/actor';
import { actorOf, createOnce, REVEAL_SCOPE, revealedOnce, type HandlerContext } from './context';

type ReferentialHandlers = Pick<
  Handlers<HandlerContext>,
  | 'listNetworks'
  | 'createNetwork'
  | 'getNetwork'
  | 'updateNetwork'
  | 'listClients'
  | 'createClient'
  | 'getClient'
  | 'updateClient'
  | 'activateClient'
  | 'deactivateClient'
  | 'listPriceAgreements'
  | 'createPriceAgreement'
  | 'listUnits'
  | 'createUnit'
  | 'getUnit'
  | 'listEnergyTypes'
  | 'createEnergyType'
  | 'getEnergyType'
  | 'listEnergyPrices'
  | 'createEnergyPrice'
  | 'getEnergyPriceInForce'
  | 'listServicePoints'
  | 'createServicePoint'
  | 'getServicePoint'
  | 'updateServicePoint'
  | 'listFuelTickets'
  | 'createFuelTicket'
  | 'getFuelTicket'
>;

export const referentialHandlers: ReferentialHandlers = {
  listNetworks: (context, { query }) => listNetworks(context.db, actorOf(context), query ?? {}),
  createNetwork: (context, input) => createOnce(context, 'createNetwork', input, (db) => createNetwork(db, actorOf(context), input.body)),
  getNetwork: (context, { path }) => findNetwork(context.db, actorOf(context), path.networkId),
  updateNetwork: (context, { path, body }) => updateNetwork(context.db, actorOf(context), path.networkId, body),
  listClients: (context, { query }) => listClients(context.db, actorOf(context), { networkId: query?.networkId, status: query?.status }, query ?? {}),
  createClient: (context, input) => createOnce(context, 'createClient', input, (db) => createClient(db, actorOf(context), input.body)),
  getClient: (context, { path }) => findClient(context.db, actorOf(context), path.clientId),
  updateClient: (context, { path, body }) => updateClient(context.db, actorOf(context), path.clientId, body),
  activateClient: (context, { path }) => setClientStatus(context.db, actorOf(context), path.clientId, 'active'),
  deactivateClient: (context, { path }) => setClientStatus(context.db, actorOf(context), path.clientId, 'inactive'),
  listPriceAgreements: (context, { path, query }) =>
    listPriceAgreements(context.db, actorOf(context), path.clientId, { energyTypeCode: query?.energyTypeCode }, query ?? {}),
  createPriceAgreement: (context, input) =>
    createOnce(context, 'createPriceAgreement', input, (db) => addPriceAgreement(db, actorOf(context), input.path.clientId, input.body)),
  listUnits: (context, { query }) => listUnits(context.db, actorOf(context), query ?? {}),
  createUnit: (context, input) => createOnce(context, 'createUnit', input, (db) => createUnit(db, actorOf(context), input.body)),
  getUnit: (context, { path }) => findUnit(context.db, actorOf(context), path.unitCode),
  listEnergyTypes: (context, { query }) => listEnergyTypes(context.db, actorOf(context), query ?? {}),
  createEnergyType: (context, input) => createOnce(context, 'createEnergyType', input, (db) => createEnergyType(db, actorOf(context), input.body)),
  getEnergyType: (context, { path }) => findEnergyType(context.db, actorOf(context), path.energyTypeCode),
  listEnergyPrices: (context, { path, query }) => listEnergyPrices(context.db, actorOf(context), path.energyTypeCode, query ?? {}),
  createEnergyPrice: (context, input) =>
    createOnce(context, 'createEnergyPrice', input, (db) => addEnergyPrice(db, actorOf(context), input.path.energyTypeCode, input.body)),
  getEnergyPriceInForce: (context, { path, query }) =>
    getPriceInForce(context.db, actorOf(context), path.energyTypeCode, query?.at ? new Date(query.at) : new Date()),
  listServicePoints: (context, { query }) => listServicePoints(context.db, actorOf(context), { networkId: query?.networkId }, query ?? {}),
  createServicePoint: (context, input) => {
    const reveal = holdsScope(actorOf(context), REVEAL_SCOPE);
    return createOnce(context, 'createServicePoint', input, (db) => createServicePoint(db, context.cardVault, actorOf(context), input.body, reveal), {
      secrets: revealedOnce(
        context,
        (point) => point.eServiceCard.number,
        (point, number) => ({ ...point, eServiceCard: { ...point.eServiceCard, number } }),
      ),
    });
  },
  getServicePoint: (context, { path }) => findServicePoint(context.db, actorOf(context), path.servicePointId),
  updateServicePoint: (context, { path, body }) => updateServicePoint(context.db, actorOf(context), path.servicePointId, body),
  listFuelTickets: (context, { query }) => listFuelTickets(context.db, actorOf(context), query ?? {}),
  createFuelTicket: (context, input) => createOnce(context, 'createFuelTicket', input, (db) => createFuelTicket(db, actorOf(context), input.body)),
  getFuelTicket: (context, { path }) => findFuelTicket(context.db, actorOf(context), path.fuelTicketCode),
};
