/** Handlers of the `core-cards` tag: card profiles, cards and their lifecycle. */
import type { Handlers } from '../../generated/operations';
import { findCard, issueCard, listCards, listCardTransitions, lookupCard, revealCardNumber, setCardExpiry, transitionCard } from '../domain/cards/cards';
import { findCardAllowances } from '../domain/cards/allowances';
import { findCardControls, findCardProfileControls, replaceCardControls, replaceCardProfileControls } from '../domain/cards/controls';
import { createCardProfile, deleteCardProfile, findCardProfile, listCardProfiles, updateCardProfile } from '../domain/cards/profiles';
import { holdsScope } from '../domain/actor';
import { listCardDeclines } from '../domain/payments/declines';
import { listCardExceptions } from '../domain/payments/exceptions';
import { cancelCard, movesMoney } from '../domain/payments/card-closure';
import { AppError } from '../domain/app-error';
import { actorOf, createOnce, REVEAL_SCOPE, revealedOnce, type HandlerContext } from './context';

type CardHandlers = Pick<
  Handlers<HandlerContext>,
  | 'listCardProfiles'
  | 'createCardProfile'
  | 'getCardProfile'
  | 'updateCardProfile'
  | 'deleteCardProfile'
  | 'getCardProfileControls'
  | 'replaceCardProfileControls'
  | 'getCardControls'
  | 'replaceCardControls'
  | 'getCardAllowances'
  | 'listCardDeclines'
  | 'listCardExceptions'
  | 'listCards'
  | 'issueCard'
  | 'lookupCard'
  | 'revealCardNumber'
  | 'getCard'
  | 'suspendCard'
  | 'setCardExpiry'
  | 'reactivateCard'
  | 'opposeCard'
  | 'cancelCard'
  | 'listCardTransitions'
>;

export const cardHandlers: CardHandlers = {
  listCardProfiles: (context, { query }) => listCardProfiles(context.db, actorOf(context), query ?? {}),
  createCardProfile: (context, input) => createOnce(context, 'createCardProfile', input, (db) => createCardProfile(db, actorOf(context), input.body)),
  getCardProfile: (context, { path }) => findCardProfile(context.db, actorOf(context), path.profileId),
  updateCardProfile: (context, { path, body }) => updateCardProfile(context.db, actorOf(context), path.profileId, body),
  deleteCardProfile: (context, { path }) => deleteCardProfile(context.db, actorOf(context), path.profileId),
  getCardProfileControls: (context, { path }) => findCardProfileControls(context.db, actorOf(context), path.profileId),
  replaceCardProfileControls: (context, { path, body }) => replaceCardProfileControls(context.db, actorOf(context), path.profileId, body),
  getCardControls: (context, { path }) => findCardControls(context.db, actorOf(context), path.cardId),
  replaceCardControls: (context, { path, body }) => replaceCardControls(context.db, actorOf(context), path.cardId, body),
  getCardAllowances: (context, { path, query }) =>
    findCardAllowances(context.db, actorOf(context), path.cardId, query?.at === undefined ? undefined : new Date(query.at)),
  listCardDeclines: (context, { query }) => listCardDeclines(context.db, actorOf(context), query ?? {}, query ?? {}),
  listCardExceptions: (context, { query }) => listCardExceptions(context.db, actorOf(context), query ?? {}, query ?? {}),
  listCards: (context, { query }) => listCards(context.db, actorOf(context), query ?? {}, query ?? {}),
  issueCard: (context, input) => {
    const reveal = holdsScope(actorOf(context), REVEAL_SCOPE);
    return createOnce(context, 'issueCard', input, (db) => issueCard(db, context.cardVault, actorOf(context), input.body, reveal), {
      secrets: revealedOnce(
        context,
        (card) => card.number,
        (card, number) => ({ ...card, number }),
      ),
    });
  },
  lookupCard: (context, { body }) => lookupCard(context.db, context.cardVault, actorOf(context), body.cardNumber),
  getCard: (context, { path }) => findCard(context.db, actorOf(context), path.cardId),
  revealCardNumber: (context, { path }) => revealCardNumber(context.db, context.cardVault, actorOf(context), path.cardId),
  setCardExpiry: (context, { path, body }) => setCardExpiry(context.db, actorOf(context), path.cardId, body),
  suspendCard: (context, { path, body }) => transitionCard(context.db, actorOf(context), path.cardId, 'suspend', body.reason),
  reactivateCard: (context, { path, body }) => transitionCard(context.db, actorOf(context), path.cardId, 'reactivate', body.reason),
  opposeCard: (context, { path, body }) => transitionCard(context.db, actorOf(context), path.cardId, 'oppose', body.reason, body.comment),
  cancelCard: (context, input) => {
    if (movesMoney(input.body) && input.header?.['Idempotency-Key'] === undefined)
      throw new AppError(
        'IDEMPOTENCY_KEY_MISSING',
        "Moving a cancelled card's balance moves money: send an Idempotency-Key header (a new UUID per intended operation)",
      );
    return createOnce(context, 'cancelCard', input, (db) => cancelCard(db, actorOf(context), input.path.cardId, input.body));
  },
  listCardTransitions: (context, { path, query }) => listCardTransitions(context.db, actorOf(context), path.cardId, query ?? {}),
};
