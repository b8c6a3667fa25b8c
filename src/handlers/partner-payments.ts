/** Handlers of the `partner` tag's payments at the pump (3rd Party API): payments, authorisations, offline fills. */
import type { Handlers } from '../../generated/operations';
import {
  capturePartnerAuthorization,
  createPartnerAuthorization,
  createPartnerPayment,
  findPartnerAuthorization,
  listPartnerAuthorizations,
  setPartnerStationReference,
  uploadPartnerOfflineFills,
  voidPartnerAuthorization,
} from '../domain/gateway/station-payments';
import { actorOf, moveMoney, type HandlerContext } from './context';

type PartnerPaymentHandlers = Pick<
  Handlers<HandlerContext>,
  | 'createPartnerPayment'
  | 'createPartnerAuthorization'
  | 'getPartnerAuthorization'
  | 'listPartnerAuthorizations'
  | 'setPartnerAuthorizationStationReference'
  | 'capturePartnerAuthorization'
  | 'voidPartnerAuthorization'
  | 'uploadPartnerOfflineFills'
>;

export const partnerPaymentHandlers: PartnerPaymentHandlers = {
  createPartnerPayment: (context, input) =>
    moveMoney(context, 'createPartnerPayment', input, (request) => createPartnerPayment(context.db, context.cardVault, actorOf(context), request, input.body)),
  createPartnerAuthorization: (context, input) =>
    moveMoney(context, 'createPartnerAuthorization', input, (request) =>
      createPartnerAuthorization(context.db, context.cardVault, actorOf(context), request, input.body, context.settings.partnerHoldMaxSeconds),
    ),
  getPartnerAuthorization: (context, { path }) => findPartnerAuthorization(context.db, actorOf(context), path.authorizationId),
  listPartnerAuthorizations: (context, { query }) => listPartnerAuthorizations(context.db, actorOf(context), query ?? {}, query ?? {}),
  setPartnerAuthorizationStationReference: (context, { path, body }) => setPartnerStationReference(context.db, actorOf(context), path.authorizationId, body),
  capturePartnerAuthorization: (context, input) =>
    moveMoney(context, 'capturePartnerAuthorization', input, (request) =>
      capturePartnerAuthorization(context.db, actorOf(context), request, input.path.authorizationId, input.body),
    ),
  voidPartnerAuthorization: (context, input) =>
    moveMoney(context, 'voidPartnerAuthorization', { ...input, body: null }, (request) =>
      voidPartnerAuthorization(context.db, actorOf(context), request, input.path.authorizationId),
    ),
  uploadPartnerOfflineFills: (context, { path, body }) => uploadPartnerOfflineFills(context.db, context.cardVault, actorOf(context), path.servicePointId, body),
};
