/** Handlers of the `partner` tag's payments at the pump (3rd Party API): payments, authorisations, offline fills. */
import type { Handlers } from '../../generated/operations';
import {
  capturePartnerAuthorization, createPartnerAuthorization, createPartnerPayment, findPartnerAuthorization, uploadPartnerOfflineFills, voidPartnerAuthorization,
} from '../domain/partners/station-payments';
import { actorOf, moveMoney, type HandlerContext } from './context';

type PartnerPaymentHandlers = Pick<
  Handlers<HandlerContext>,
  'createPartnerPayment' | 'createPartnerAuthorization' | 'getPartnerAuthorization' | 'capturePartnerAuthorization' | 'voidPartnerAuthorization' | 'uploadPartnerOfflineFills'
>;

export const partnerPaymentHandlers: PartnerPaymentHandlers = {
  createPartnerPayment: (context, input) =>
    moveMoney(context, 'createPartnerPayment', input, (request) => createPartnerPayment(context.db, context.cardVault, actorOf(context), request, input.body)),
  createPartnerAuthorization: (context, input) =>
    moveMoney(context, 'createPartnerAuthorization', input, (request) => createPartnerAuthorization(context.db, context.cardVault, actorOf(context), request, input.body)),
  getPartnerAuthorization: (context, { path }) => findPartnerAuthorization(context.db, actorOf(context), path.authorizationId),
  capturePartnerAuthorization: (context, input) =>
    moveMoney(context, 'capturePartnerAuthorization', input, (request) => capturePartnerAuthorization(context.db, actorOf(context), request, input.path.authorizationId, input.body)),
  voidPartnerAuthorization: (context, input) =>
    moveMoney(context, 'voidPartnerAuthorization', { ...input, body: null }, (request) => voidPartnerAuthorization(context.db, actorOf(context), request, input.path.authorizationId)),
  uploadPartnerOfflineFills: (context, { path, body }) => uploadPartnerOfflineFills(context.db, context.cardVault, actorOf(context), path.servicePointId, body),
};
