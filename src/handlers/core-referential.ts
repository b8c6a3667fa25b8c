/** Handlers of the `core-referential` tag: networks and clients. */
import type { Handlers } from '../../generated/operations';
import { createClient, findClient, listClients, setClientStatus, updateClient } from '../domain/referential/clients';
import { createNetwork, findNetwork, listNetworks, updateNetwork } from '../domain/referential/networks';
import { actorOf, type HandlerContext } from './context';

type ReferentialHandlers = Pick<
  Handlers<HandlerContext>,
  'listNetworks' | 'createNetwork' | 'getNetwork' | 'updateNetwork' | 'listClients' | 'createClient' | 'getClient' | 'updateClient' | 'activateClient' | 'deactivateClient'
>;

export const referentialHandlers: ReferentialHandlers = {
  listNetworks: (context, { query }) => listNetworks(context.db, query ?? {}),
  createNetwork: (context, { body }) => createNetwork(context.db, actorOf(context), body),
  getNetwork: (context, { path }) => findNetwork(context.db, path.networkId),
  updateNetwork: (context, { path, body }) => updateNetwork(context.db, actorOf(context), path.networkId, body),
  listClients: (context, { query }) => listClients(context.db, { networkId: query?.networkId, status: query?.status }, query ?? {}),
  createClient: (context, { body }) => createClient(context.db, actorOf(context), body),
  getClient: (context, { path }) => findClient(context.db, path.clientId),
  updateClient: (context, { path, body }) => updateClient(context.db, actorOf(context), path.clientId, body),
  activateClient: (context, { path }) => setClientStatus(context.db, actorOf(context), path.clientId, 'active'),
  deactivateClient: (context, { path }) => setClientStatus(context.db, actorOf(context), path.clientId, 'inactive'),
};
