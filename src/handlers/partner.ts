/** Handlers of the `partner` tag (3rd Party API). */
import type { Handlers } from '../../generated/operations';
import { findPartner } from '../domain/partners/partners';
import { findPartnerCard, legacyBalanceEnquiry, listPartnerCardDeclines, lookupPartnerCard, partnerCardAllowances } from '../domain/gateway/cards';
import { listPartnerCardHistory } from '../domain/gateway/card-history';
import { listPartnerEvents } from '../domain/gateway/events';
import { findPartnerOperation, listPartnerOperations } from '../domain/gateway/operations';
import { partnerFloats, rechargeCard } from '../domain/gateway/recharges';
import { reversePartnerOperation } from '../domain/gateway/reversals';
import { partnerDailyStatement } from '../domain/gateway/statements';
import { partnerServicePointSettlement, partnerSettlementDays } from '../domain/gateway/settlements';
import { findUnit, listUnits } from '../domain/referential/units';
import { actorOf, credentialOf, moveMoney, type HandlerContext } from './context';

type PartnerHandlers = Pick<
  Handlers<HandlerContext>,
  | 'getPartnerMe'
  | 'lookupPartnerCard'
  | 'getPartnerCard'
  | 'getPartnerCardAllowances'
  | 'listPartnerCardDeclines'
  | 'getPartnerOperation'
  | 'listPartnerEvents'
  | 'listPartnerCardHistory'
  | 'getLegacyCardBalance'
  | 'createPartnerRecharge'
  | 'getPartnerFloat'
  | 'listPartnerOperations'
  | 'reversePartnerOperation'
  | 'getPartnerDailyStatement'
  | 'getPartnerServicePointSettlement'
  | 'listPartnerServicePointSettlements'
  | 'listPartnerUnits'
  | 'getPartnerUnit'
>;

export const partnerHandlers: PartnerHandlers = {
  async getPartnerMe(context) {
    const actor = actorOf(context);
    const credential = credentialOf(context);
    // Its own record: whether it is internal, and its live secrets with who made each one.
    const own = await findPartner(context.db, actor, credential.partnerId);
    return {
      partnerId: credential.partnerId,
      name: actor.name,
      scopes: [...actor.scopes],
      internal: own.internal,
      authMethod: credential.method,
      tokenExpiresAt: credential.tokenExpiresAt?.toISOString() ?? null,
      credentials: own.credentials,
      mode: context.settings.mode,
    };
  },
  lookupPartnerCard: (context, { body }) => lookupPartnerCard(context.db, context.cardVault, actorOf(context), body.cardNumber),
  getLegacyCardBalance: (context, { query }) => legacyBalanceEnquiry(context.db, context.cardVault, actorOf(context), query.numeroCarte),
  getPartnerCard: (context, { path }) => findPartnerCard(context.db, actorOf(context), path.cardId),
  listPartnerCardDeclines: (context, { path, query }) => listPartnerCardDeclines(context.db, actorOf(context), path.cardId, query ?? {}, query ?? {}),
  getPartnerCardAllowances: (context, { path, query }) =>
    partnerCardAllowances(context.db, actorOf(context), path.cardId, query?.at === undefined ? undefined : new Date(query.at)),
  getPartnerOperation: (context, { path }) => findPartnerOperation(context.db, actorOf(context), path.operationId),
  createPartnerRecharge: (context, input) =>
    moveMoney(context, 'createPartnerRecharge', input, (request) => rechargeCard(context.db, actorOf(context), request, input.body)),
  getPartnerFloat: (context) => partnerFloats(context.db, actorOf(context)),
  listPartnerOperations: (context, { query }) => listPartnerOperations(context.db, actorOf(context), query ?? {}, query ?? {}),
  reversePartnerOperation: (context, input) =>
    moveMoney(context, 'reversePartnerOperation', input, (request) =>
      reversePartnerOperation(context.db, actorOf(context), request, input.path.operationId, input.body),
    ),
  getPartnerDailyStatement: (context, { path, query }) => partnerDailyStatement(context.db, actorOf(context), path.day, query),
  listPartnerServicePointSettlements: (context, { path, query }) => partnerSettlementDays(context.db, actorOf(context), path.servicePointId, query),
  getPartnerServicePointSettlement: (context, { path, query }) =>
    partnerServicePointSettlement(context.db, actorOf(context), path.servicePointId, path.day, query.unit),
  listPartnerCardHistory: (context, { path, query }) => listPartnerCardHistory(context.db, actorOf(context), path.cardId, query ?? {}),
  // Units are the issuer's referential, the same for every partner: what an amount in each means.
  listPartnerUnits: (context, { query }) => listUnits(context.db, actorOf(context), query ?? {}),
  getPartnerUnit: (context, { path }) => findUnit(context.db, actorOf(context), path.unitCode),
  listPartnerEvents: (context, { query }) => listPartnerEvents(context.db, actorOf(context), query ?? {}, query ?? {}),
};
