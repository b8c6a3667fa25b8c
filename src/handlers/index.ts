/** Every envelope handler, keyed by operationId. */
import type { Handlers } from '../../generated/operations';
import type { HandlerContext } from './context';
import { auditHandlers } from './core-audit';
import { cardHandlers } from './core-cards';
import { fleetHandlers } from './core-fleet';
import { ledgerHandlers } from './core-ledger';
import { operatorHandlers } from './core-operators';
import { partnerAdminHandlers } from './core-partners';
import { referentialHandlers } from './core-referential';
import { partnerHandlers } from './partner';
import { partnerPaymentHandlers } from './partner-payments';
import { partnerSimulationHandlers } from './partner-simulations';
import { systemHandlers } from './system';
import { webhookHandlers } from './webhooks';

export const handlers: Handlers<HandlerContext> = {
  ...systemHandlers,
  ...partnerHandlers,
  ...partnerPaymentHandlers,
  ...partnerSimulationHandlers,
  ...referentialHandlers,
  ...cardHandlers,
  ...fleetHandlers,
  ...partnerAdminHandlers,
  ...ledgerHandlers,
  ...auditHandlers,
  ...operatorHandlers,
  ...webhookHandlers,
};
