/** Handlers of the `core-ledger` tag: money operations (idempotent) and their reads. */
import type { Handlers } from '../../generated/operations';
import { listAccounts } from '../domain/ledger/accounts';
import { cancelOperation, chargeFee, fundPartnerFloat, recordPayment, regularise } from '../domain/ledger/operations';
import { findOperation, listOperations } from '../domain/ledger/operations-read';
import { actorOf, moveMoney, type HandlerContext } from './context';

type LedgerHandlers = Pick<
  Handlers<HandlerContext>,
  'createFloatFunding' | 'createPayment' | 'createFee' | 'createRegularisation' | 'cancelOperation' | 'getOperation' | 'listOperations' | 'listLedgerAccounts'
>;

export const ledgerHandlers: LedgerHandlers = {
  createFloatFunding: (context, input) => moveMoney(context, 'createFloatFunding', input, (request) => fundPartnerFloat(context.db, actorOf(context), request, input.body)),
  createPayment: (context, input) => moveMoney(context, 'createPayment', input, (request) => recordPayment(context.db, actorOf(context), request, input.body)),
  createFee: (context, input) => moveMoney(context, 'createFee', input, (request) => chargeFee(context.db, actorOf(context), request, input.body)),
  createRegularisation: (context, input) => moveMoney(context, 'createRegularisation', input, (request) => regularise(context.db, actorOf(context), request, input.body)),
  cancelOperation: (context, input) =>
    moveMoney(context, 'cancelOperation', input, (request) => cancelOperation(context.db, actorOf(context), request, input.path.operationId, input.body)),
  getOperation: (context, { path }) => findOperation(context.db, actorOf(context), path.operationId),
  listOperations: (context, { query }) => listOperations(context.db, actorOf(context), query ?? {}, query ?? {}),
  listLedgerAccounts: (context, { query }) => listAccounts(context.db, actorOf(context), query ?? {}, query ?? {}),
};
