/** Who is calling: set by the security handlers once a credential is verified. */
export interface Principal {
  partnerId: string;
  partnerName: string;
  /** The scopes of the credential used (a token's granted scopes, or the partner's with Basic). */
  scopes: string[];
  method: 'bearer' | 'basic';
  /** The partner's IP allow-list (CIDR ranges; empty allows every address). */
  allowedIps: string[];
  /** Expiry of the bearer token; null with Basic. */
  tokenExpiresAt: Date | null;
}
