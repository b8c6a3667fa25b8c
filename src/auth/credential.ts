/**
 * A verified credential: made by src/auth/identity.ts, set on the request by the security
 * handlers (src/auth/security.ts). The app turns it into
 * the request's Actor (domain/actor) once; handlers see the actor, and only getPartnerMe
 * reads the credential itself (its method and expiry).
 */
import type { TokenCertificates } from './client-certificates';

export interface Credential {
  partnerId: string;
  partnerName: string;
  /** The scopes of the credential used (a token's granted scopes, or the partner's with Basic). */
  scopes: string[];
  method: 'bearer' | 'basic';
  /** The partner's IP allow-list (CIDR ranges; empty allows every address). */
  allowedIps: string[];
  /** Expiry of the bearer token; null with Basic. */
  tokenExpiresAt: Date | null;
  /** Mutual TLS: the certificate a bearer token is bound to and the partner's registered ones (src/auth/client-certificates.ts). */
  certificates: TokenCertificates;
}
