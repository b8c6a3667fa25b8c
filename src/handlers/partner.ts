/** Handlers of the `partner` tag (3rd Party API). */
import type { Handlers } from '../../generated/operations';
import { callerOf, type HandlerContext } from './context';

type PartnerHandlers = Pick<Handlers<HandlerContext>, 'getPartnerMe'>;

export const partnerHandlers: PartnerHandlers = {
  async getPartnerMe(context) {
    const caller = callerOf(context);
    return {
      partnerId: caller.partnerId,
      name: caller.partnerName,
      scopes: caller.scopes,
      authMethod: caller.method,
      tokenExpiresAt: caller.tokenExpiresAt?.toISOString() ?? null,
    };
  },
};
