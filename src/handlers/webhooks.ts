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
import { actorOf, createOnce, type HandlerContext, type SealedSecrets } from './context';

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
  | 'pingCoreWebhookEndpoint'
  | 'listCoreWebhookAttempts'
  | 'redeliverCoreWebhookEvents'
>;

/** An endpoint's signing secret stored under an Idempotency-Key encrypted, so that a replay shows it again and a database dump does not. */
const sealedSecret = <T extends { secret: string }>(context: HandlerContext): SealedSecrets<T> => ({
  seal: (created) => ({ ...created, secret: context.cardVault.encrypt(created.secret) }),
  open: (stored) => ({ ...stored, secret: context.cardVault.decrypt(stored.secret) }),
});

/** The calling partner, managing its own endpoints. */
const self = (context: HandlerContext): Owner => ({ partnerId: partnerIdOf(actorOf(context)), by: 'partner' });
const policy = (context: HandlerContext) => ({ allowLoopbackHttp: context.settings.webhooks.allowLoopbackHttp });
const pinging = (context: HandlerContext) => ({ timeoutMs: context.settings.webhooks.timeoutMs, policy: policy(context) });
/** A reachable partner, its endpoints managed by the issuer. */
const issuer = (context: HandlerContext, partnerId: string) => issuerOwner(context.db, actorOf(context), partnerId);

export const webhookHandlers: WebhookHandlers = {
  listPartnerWebhookEndpoints: (context) => listEndpoints(context.db, self(context)),
  createPartnerWebhookEndpoint: (context, input) =>
    createOnce(
      context,
      'createPartnerWebhookEndpoint',
      input,
      (db) => createEndpoint(db, actorOf(context), context.cardVault, policy(context), self(context), input.body),
      {
        secrets: sealedSecret(context),
      },
    ),
  getPartnerWebhookEndpoint: async (context, { path }) => toEndpoint(await ownEndpoint(context.db, self(context), path.endpointId)),
  updatePartnerWebhookEndpoint: (context, { path, body }) =>
    updateEndpoint(context.db, actorOf(context), policy(context), self(context), path.endpointId, body),
  deletePartnerWebhookEndpoint: (context, { path }) => deleteEndpoint(context.db, actorOf(context), self(context), path.endpointId),
  rotatePartnerWebhookSecret: (context, { path, body }) =>
    rotateEndpointSecret(context.db, actorOf(context), context.cardVault, self(context), path.endpointId, body.overlapSeconds),
  pingPartnerWebhookEndpoint: (context, { path }) => pingEndpoint(context.db, context.cardVault, pinging(context), self(context), path.endpointId),
  listPartnerWebhookAttempts: (context, { path, query }) => listAttempts(context.db, self(context), path.endpointId, query ?? {}),
  redeliverPartnerWebhookEvents: (context, { path, body }) => redeliver(context.db, self(context), path.endpointId, body),
  listCoreWebhookEndpoints: async (context, { path }) => listEndpoints(context.db, await issuer(context, path.partnerId)),
  createCoreWebhookEndpoint: (context, input) =>
    createOnce(
      context,
      'createCoreWebhookEndpoint',
      input,
      async (db) =>
        createEndpoint(db, actorOf(context), context.cardVault, policy(context), await issuerOwner(db, actorOf(context), input.path.partnerId), input.body),
      { secrets: sealedSecret(context) },
    ),
  updateCoreWebhookEndpoint: async (context, { path, body }) =>
    updateEndpoint(context.db, actorOf(context), policy(context), await issuer(context, path.partnerId), path.endpointId, body),
  deleteCoreWebhookEndpoint: async (context, { path }) => deleteEndpoint(context.db, actorOf(context), await issuer(context, path.partnerId), path.endpointId),
  pingCoreWebhookEndpoint: async (context, { path }) =>
    pingEndpoint(context.db, context.cardVault, pinging(context), await issuer(context, path.partnerId), path.endpointId),
  listCoreWebhookAttempts: async (context, { path, query }) => listAttempts(context.db, await issuer(context, path.partnerId), path.endpointId, query ?? {}),
  redeliverCoreWebhookEvents: async (context, { path, body }) => redeliver(context.db, await issuer(context, path.partnerId), path.endpointId, body),
};
