/** Handlers of the `core-referential` tag: networks, clients, units, energy types and prices. */
import type { Handlers } from '../../generated/operations';
import { createClient, findClient, listClients, setClientStatus, updateClient } from '../domain/referential/clients';
import { addEnergyPrice, createEnergyType, findEnergyType, getPriceInForce, listEnergyPrices, listEnergyTypes } from '../domain/referential/energy-types';
import { createFuelTicket, findFuelTicket, listFuelTickets } from '../domain/referential/fuel-tickets';
import { createNetwork, findNetwork, listNetworks, updateNetwork } from '../domain/referential/networks';
import { createServicePoint, findServicePoint, listServicePoints, updateServicePoint } from '../domain/referential/service-points';
import { createUnit, findUnit, listUnits } from '../domain/referential/units';
import { holdsScope } from '../domain/actor';
import { actorOf, REVEAL_SCOPE, type HandlerContext } from './context';

type ReferentialHandlers = Pick<
  Handlers<HandlerContext>,
  | 'listNetworks' | 'createNetwork' | 'getNetwork' | 'updateNetwork'
  | 'listClients' | 'createClient' | 'getClient' | 'updateClient' | 'activateClient' | 'deactivateClient'
  | 'listUnits' | 'createUnit' | 'getUnit'
  | 'listEnergyTypes' | 'createEnergyType' | 'getEnergyType' | 'listEnergyPrices' | 'createEnergyPrice' | 'getEnergyPriceInForce'
  | 'listServicePoints' | 'createServicePoint' | 'getServicePoint' | 'updateServicePoint'
  | 'listFuelTickets' | 'createFuelTicket' | 'getFuelTicket'
>;

export const referentialHandlers: ReferentialHandlers = {
  listNetworks: (context, { query }) => listNetworks(context.db, actorOf(context), query ?? {}),
  createNetwork: (context, { body }) => createNetwork(context.db, actorOf(context), body),
  getNetwork: (context, { path }) => findNetwork(context.db, actorOf(context), path.networkId),
  updateNetwork: (context, { path, body }) => updateNetwork(context.db, actorOf(context), path.networkId, body),
  listClients: (context, { query }) => listClients(context.db, actorOf(context), { networkId: query?.networkId, status: query?.status }, query ?? {}),
  createClient: (context, { body }) => createClient(context.db, actorOf(context), body),
  getClient: (context, { path }) => findClient(context.db, actorOf(context), path.clientId),
  updateClient: (context, { path, body }) => updateClient(context.db, actorOf(context), path.clientId, body),
  activateClient: (context, { path }) => setClientStatus(context.db, actorOf(context), path.clientId, 'active'),
  deactivateClient: (context, { path }) => setClientStatus(context.db, actorOf(context), path.clientId, 'inactive'),
  listUnits: (context, { query }) => listUnits(context.db, actorOf(context), query ?? {}),
  createUnit: (context, { body }) => createUnit(context.db, actorOf(context), body),
  getUnit: (context, { path }) => findUnit(context.db, actorOf(context), path.unitCode),
  listEnergyTypes: (context, { query }) => listEnergyTypes(context.db, actorOf(context), query ?? {}),
  createEnergyType: (context, { body }) => createEnergyType(context.db, actorOf(context), body),
  getEnergyType: (context, { path }) => findEnergyType(context.db, actorOf(context), path.energyTypeCode),
  listEnergyPrices: (context, { path, query }) => listEnergyPrices(context.db, actorOf(context), path.energyTypeCode, query ?? {}),
  createEnergyPrice: (context, { path, body }) => addEnergyPrice(context.db, actorOf(context), path.energyTypeCode, body),
  getEnergyPriceInForce: (context, { path, query }) => getPriceInForce(context.db, actorOf(context), path.energyTypeCode, query?.at ? new Date(query.at) : new Date()),
  listServicePoints: (context, { query }) => listServicePoints(context.db, actorOf(context), { networkId: query?.networkId }, query ?? {}),
  createServicePoint: (context, { body }) =>
    createServicePoint(context.db, context.cardVault, actorOf(context), body, holdsScope(actorOf(context), REVEAL_SCOPE)),
  getServicePoint: (context, { path }) => findServicePoint(context.db, actorOf(context), path.servicePointId),
  updateServicePoint: (context, { path, body }) => updateServicePoint(context.db, actorOf(context), path.servicePointId, body),
  listFuelTickets: (context, { query }) => listFuelTickets(context.db, actorOf(context), query ?? {}),
  createFuelTicket: (context, { body }) => createFuelTicket(context.db, actorOf(context), body),
  getFuelTicket: (context, { path }) => findFuelTicket(context.db, actorOf(context), path.fuelTicketCode),
};
