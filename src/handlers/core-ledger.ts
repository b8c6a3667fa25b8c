/** Handlers of the `core-ledger` tag: money operations (idempotent) and their reads. */
import type { Handlers } from '../../generated/operations';
import { listAccounts } from '../domain/ledger/accounts';
import { cancelOperation, chargeFee, fundPartnerFloat, recordPayment, regularise } from '../domain/payments/operations';
import { findOperation, listOperations } from '../domain/ledger/operations-read';
import { authorize, captureAuthorization, findAuthorization, voidAuthorization } from '../domain/payments/holds';
import { listAuthorizations, setStationReference } from '../domain/payments/holds-read';
import { cardStatement } from '../domain/payments/statements';
import { payOutRefund } from '../domain/payments/payouts';
import { listSettlementDays, servicePointSettlement } from '../domain/payments/settlements';
import { paySettlement } from '../domain/payments/settlement-payouts';
import { uploadOfflineFills } from '../domain/payments/offline-fills';
import { createOrder, executeOrder, findOrder, listOrders, stepOrder } from '../domain/payments/orders';
import { actorOf, createOnce, moveMoney, type HandlerContext } from './context';

type LedgerHandlers = Pick<
  Handlers<HandlerContext>,
  | 'createFloatFunding'
  | 'createPayment'
  | 'createFee'
  | 'createRegularisation'
  | 'createPayout'
  | 'cancelOperation'
  | 'getOperation'
  | 'listOperations'
  | 'listLedgerAccounts'
  | 'getCardStatement'
  | 'getServicePointSettlement'
  | 'listServicePointSettlements'
  | 'payServicePointSettlement'
  | 'createAuthorization'
  | 'getAuthorization'
  | 'listAuthorizations'
  | 'setAuthorizationStationReference'
  | 'captureAuthorization'
  | 'voidAuthorization'
  | 'uploadOfflineFills'
  | 'listOrders'
  | 'createOrder'
  | 'getOrder'
  | 'validateOrder'
  | 'rejectOrder'
  | 'cancelOrder'
  | 'executeOrder'
>;

export const ledgerHandlers: LedgerHandlers = {
  createFloatFunding: (context, input) =>
    moveMoney(context, 'createFloatFunding', input, (request) => fundPartnerFloat(context.db, actorOf(context), request, input.body)),
  createPayment: (context, input) =>
    moveMoney(context, 'createPayment', input, (request) => recordPayment(context.db, context.cardVault, actorOf(context), request, input.body)),
  createFee: (context, input) => moveMoney(context, 'createFee', input, (request) => chargeFee(context.db, actorOf(context), request, input.body)),
  createRegularisation: (context, input) =>
    moveMoney(context, 'createRegularisation', input, (request) => regularise(context.db, actorOf(context), request, input.body)),
  createPayout: (context, input) => moveMoney(context, 'createPayout', input, (request) => payOutRefund(context.db, actorOf(context), request, input.body)),
  cancelOperation: (context, input) =>
    moveMoney(context, 'cancelOperation', input, (request) => cancelOperation(context.db, actorOf(context), request, input.path.operationId, input.body)),
  getOperation: (context, { path }) => findOperation(context.db, actorOf(context), path.operationId),
  listOperations: (context, { query }) => listOperations(context.db, actorOf(context), query ?? {}, query ?? {}),
  listLedgerAccounts: (context, { query }) => listAccounts(context.db, actorOf(context), query ?? {}, query ?? {}),
  getCardStatement: (context, { path, query }) => cardStatement(context.db, actorOf(context), path.cardId, query),
  listServicePointSettlements: (context, { path, query }) => listSettlementDays(context.db, actorOf(context), path.servicePointId, query),
  getServicePointSettlement: (context, { path, query }) => servicePointSettlement(context.db, actorOf(context), path.servicePointId, path.day, query.unit),
  payServicePointSettlement: (context, input) =>
    moveMoney(context, 'payServicePointSettlement', input, (request) =>
      paySettlement(context.db, actorOf(context), request, input.path.servicePointId, input.path.day, input.body),
    ),
  createAuthorization: (context, input) =>
    moveMoney(context, 'createAuthorization', input, (request) => authorize(context.db, context.cardVault, actorOf(context), request, input.body)),
  getAuthorization: (context, { path }) => findAuthorization(context.db, actorOf(context), path.authorizationId),
  listAuthorizations: (context, { query }) => listAuthorizations(context.db, actorOf(context), query ?? {}, query ?? {}),
  setAuthorizationStationReference: (context, { path, body }) => setStationReference(context.db, actorOf(context), path.authorizationId, body),
  captureAuthorization: (context, input) =>
    moveMoney(context, 'captureAuthorization', input, (request) =>
      captureAuthorization(context.db, actorOf(context), request, input.path.authorizationId, input.body),
    ),
  voidAuthorization: (context, input) =>
    moveMoney(context, 'voidAuthorization', { ...input, body: null }, (request) =>
      voidAuthorization(context.db, actorOf(context), request, input.path.authorizationId),
    ),
  uploadOfflineFills: (context, { path, body }) => uploadOfflineFills(context.db, actorOf(context), path.servicePointId, body),
  listOrders: (context, { query }) => listOrders(context.db, actorOf(context), query ?? {}, query ?? {}),
  createOrder: (context, input) => createOnce(context, 'createOrder', input, (db) => createOrder(db, actorOf(context), input.body)),
  getOrder: (context, { path }) => findOrder(context.db, actorOf(context), path.orderId),
  validateOrder: (context, { path, body }) => stepOrder(context.db, actorOf(context), path.orderId, 'validate', body?.comment),
  rejectOrder: (context, { path, body }) => stepOrder(context.db, actorOf(context), path.orderId, 'reject', body?.comment),
  cancelOrder: (context, { path, body }) => stepOrder(context.db, actorOf(context), path.orderId, 'cancel', body?.comment),
  executeOrder: (context, input) =>
    moveMoney(context, 'executeOrder', input, (request) => executeOrder(context.db, actorOf(context), request, input.path.orderId, input.body?.comment)),
};
