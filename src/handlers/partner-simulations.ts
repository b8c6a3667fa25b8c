/** Handlers of the `partner` tag's sandbox simulations (`/partner/v1/simulate/...`): what comes from outside, on demand. */
import type { Handlers } from '../../generated/operations';
import {
  simulateAuthorization,
  simulateCardStatus,
  simulateHoldTimeOut,
  simulateOfflineBatch,
  simulatePayment,
  simulateVoucherExecution,
} from '../domain/gateway/simulations';
import { advanceSandboxClock, getSandboxClock } from '../domain/gateway/sandbox-clock';
import { advanceWebhookRetries } from '../domain/webhooks/endpoints';
import { actorOf, createOnce, moveMoney, type HandlerContext } from './context';

type PartnerSimulationHandlers = Pick<
  Handlers<HandlerContext>,
  | 'simulatePayment'
  | 'simulateAuthorization'
  | 'simulateHoldTimeOut'
  | 'simulateCardStatus'
  | 'simulateOfflineBatch'
  | 'simulateVoucherExecution'
  | 'getSandboxClock'
  | 'advanceSandboxClock'
>;

export const partnerSimulationHandlers: PartnerSimulationHandlers = {
  simulatePayment: (context, input) =>
    moveMoney(context, 'simulatePayment', input, (request) => simulatePayment(context.db, context.cardVault, actorOf(context), request, input.body)),
  simulateAuthorization: (context, input) =>
    moveMoney(context, 'simulateAuthorization', input, (request) =>
      simulateAuthorization(context.db, context.cardVault, actorOf(context), request, input.body),
    ),
  simulateHoldTimeOut: (context, { path }) => simulateHoldTimeOut(context.db, actorOf(context), path.authorizationId),
  simulateCardStatus: (context, { path, body }) => simulateCardStatus(context.db, actorOf(context), path.cardId, body),
  simulateOfflineBatch: (context, { path, body }) => simulateOfflineBatch(context.db, actorOf(context), path.servicePointId, body),
  simulateVoucherExecution: (context, input) =>
    createOnce(context, 'simulateVoucherExecution', input, (db) => simulateVoucherExecution(db, actorOf(context), input.body)),
  getSandboxClock: (context) => getSandboxClock(context.db, actorOf(context)),
  // The partner's webhook retries come due with its world (the webhooks sit above the gateway).
  advanceSandboxClock: (context, input) =>
    createOnce(context, 'advanceSandboxClock', input, (db) => advanceSandboxClock(db, actorOf(context), input.body.seconds, [advanceWebhookRetries])),
};
