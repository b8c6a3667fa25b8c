/** Handlers of the `partner` tag (3rd Party API). */
import type { Handlers } from '../../generated/operations';
import { actorOf, credentialOf, type HandlerContext } from './context';

type PartnerHandlers = Pick<Handlers<HandlerContext>, 'getPartnerMe'>;

export const partnerHandlers: PartnerHandlers = {
  async getPartnerMe(context) {
    const actor = actorOf(context);
    const credential = credentialOf(context);
    return {
      partnerId: credential.partnerId,
      name: actor.name,
      scopes: [...actor.scopes],
      authMethod: credential.method,
      tokenExpiresAt: credential.tokenExpiresAt?.toISOString() ?? null,
    };
  },
};
