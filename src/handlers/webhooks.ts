/** Handlers of webhook endpoints: the partner's own (`partner` tag) and any reachable partner's (`core-partners` tag). */
import type { Handlers } from '../../generated/operations';
import { partnerIdOf } from '../domain/actor';
import { pingEndpoint, listAttempts, redeliver } from '../domain/webhooks/deliveries';
import {
  createEndpoint,
  deleteEndpoint,
  issuerOwner,
  listEndpoints,
  ownEndpoint,
  rotateEndpointSecret,
  toEndpoint,
  updateEndpoint,
  type Owner,
} from '../domain/webhooks/endpoints';
import { actorOf, type HandlerContext } from './context';

type WebhookHandlers = Pick<
  Handlers<HandlerContext>,
  | 'listPartnerWebhookEndpoints'
  | 'createPartnerWebhookEndpoint'
  | 'getPartnerWebhookEndpoint'
  | 'updatePartnerWebhookEndpoint'
  | 'deletePartnerWebhookEndpoint'
  | 'rotatePartnerWebhookSecret'
  | 'pingPartnerWebhookEndpoint'
  | 'listPartnerWebhookAttempts'
  | 'redeliverPartnerWebhookEvents'
  | 'listCoreWebhookEndpoints'
  | 'createCoreWebhookEndpoint'
  | 'updateCoreWebhookEndpoint'
  | 'deleteCoreWebhookEndpoint'
>;

/** The calling partner, managing its own endpoints. */
const self = (context: HandlerContext): Owner => ({ partnerId: partnerIdOf(actorOf(context)), by: 'partner' });
const policy = (context: HandlerContext) => ({ allowLoopbackHttp: context.settings.webhooks.allowLoopbackHttp });

export const webhookHandlers: WebhookHandlers = {
  listPartnerWebhookEndpoints: (context) => listEndpoints(context.db, self(context)),
  createPartnerWebhookEndpoint: (context, { body }) => createEndpoint(context.db, actorOf(context), context.cardVault, policy(context), self(context), body),
  getPartnerWebhookEndpoint: async (context, { path }) => toEndpoint(await ownEndpoint(context.db, self(context), path.endpointId)),
  updatePartnerWebhookEndpoint: (context, { path, body }) =>
    updateEndpoint(context.db, actorOf(context), policy(context), self(context), path.endpointId, body),
  deletePartnerWebhookEndpoint: (context, { path }) => deleteEndpoint(context.db, actorOf(context), self(context), path.endpointId),
  rotatePartnerWebhookSecret: (context, { path, body }) =>
    rotateEndpointSecret(context.db, actorOf(context), context.cardVault, self(context), path.endpointId, body.overlapSeconds),
  pingPartnerWebhookEndpoint: (context, { path }) =>
    pingEndpoint(context.db, context.cardVault, { timeoutMs: context.settings.webhooks.timeoutMs, policy: policy(context) }, self(context), path.endpointId),
  listPartnerWebhookAttempts: (context, { path, query }) => listAttempts(context.db, self(context), path.endpointId, query ?? {}),
  redeliverPartnerWebhookEvents: (context, { path, body }) => redeliver(context.db, self(context), path.endpointId, body),
  listCoreWebhookEndpoints: async (context, { path }) => listEndpoints(context.db, await issuerOwner(context.db, actorOf(context), path.partnerId)),
  createCoreWebhookEndpoint: async (context, { path, body }) =>
    createEndpoint(context.db, actorOf(context), context.cardVault, policy(context), await issuerOwner(context.db, actorOf(context), path.partnerId), body),
  updateCoreWebhookEndpoint: async (context, { path, body }) =>
    updateEndpoint(context.db, actorOf(context), policy(context), await issuerOwner(context.db, actorOf(context), path.partnerId), path.endpointId, body),
  deleteCoreWebhookEndpoint: async (context, { path }) =>
    deleteEndpoint(context.db, actorOf(context), await issuerOwner(context.db, actorOf(context), path.partnerId), path.endpointId),
};
