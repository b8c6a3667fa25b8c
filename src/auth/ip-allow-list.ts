/** The answer to a call from outside a partner's IP allow-list (the ranges themselves: domain/ip-ranges). */
import { codeCatalog } from '../../generated/codes';
import { AppError } from '../domain/app-error';

/** The refusal of a call from outside the allow-list: 403, or 400 unauthorized_client at the OAuth endpoints (RFC 6749 §5.2). */
export function ipNotAllowed(address: string | null, oauth: boolean): AppError {
  return new AppError('IP_NOT_ALLOWED', `Calls for this partner are not accepted from ${address ?? 'an unknown address'}`, {
    status: oauth ? codeCatalog.IP_NOT_ALLOWED.oauthStatus : undefined,
    oauthError: oauth ? 'unauthorized_client' : undefined,
  });
}
