/** The @node-oauth/oauth2-server model for the client credentials grant, and the store of the tokens it issues. */
import type { ClientCredentialsModel, Client, Token, User } from '@node-oauth/oauth2-server';
import type { Database } from '../db/database';
import type { Queryable } from '../db/database';
import { recordSecurityEvent, type EventSource } from '../domain/security/security-events';
import type { AuthenticatedPartner } from './client-guard';
import { hashSecret, newAccessToken } from '../domain/partners/secrets';

interface IssuedToken {
  token: string;
  partnerId: string;
  scopes: string[];
  expiresAt: Date;
  /** The client certificate the token is bound to (cnf.x5t#S256, RFC 8705), or null. */
  certificateThumbprint?: string | null;
}

/** Stores a newly issued token (its hash only); src/auth/identity.ts reads it back on every call. */
export async function saveAccessToken(db: Queryable, issued: IssuedToken): Promise<void> {
  await db.query('INSERT INTO access_tokens (token_hash, partner_id, scopes, expires_at, certificate_thumbprint) VALUES ($1, $2, $3, $4, $5)', [
    hashSecret(issued.token),
    issued.partnerId,
    issued.scopes,
    issued.expiresAt,
    issued.certificateThumbprint ?? null,
  ]);
}

interface PartnerClient extends Client {
  partner: AuthenticatedPartner;
}

/**
 * The model of one token request, whose client the endpoint has already authenticated once
 * (ClientGuard: the Basic credentials form-decoded as RFC 6749 §2.3.1 says, lock-out,
 * allow-list). The library reads the client id again in its raw form; it is not compared
 * again (a percent-encoded id would not match): the authenticated partner is the client. A
 * partner that authenticated with its client certificate (mutual TLS) gets tokens bound to it.
 */
export function oauthModel(db: Database, partner: AuthenticatedPartner, source: EventSource, method: 'basic' | 'body'): ClientCredentialsModel {
  return {
    async getClient() {
      return { id: partner.id, grants: ['client_credentials'], partner } satisfies PartnerClient;
    },

    async getUserFromClient(client: Client) {
      return (client as PartnerClient).partner as unknown as User;
    },

    /** No scope asked: every scope of the partner. Otherwise each must be granted to it. */
    async validateScope(_user: User, client: Client, scope?: string[]) {
      const granted = (client as PartnerClient).partner.scopes;
      if (!scope) return granted;
      return scope.every((item) => granted.includes(item)) ? [...new Set(scope)] : false;
    },

    async generateAccessToken() {
      return newAccessToken();
    },

    async saveToken(token: Token, client: Client, user: User) {
      const scopes = token.scope ?? [];
      await db.transaction(async (tx) => {
        await saveAccessToken(tx, {
          token: token.accessToken,
          partnerId: partner.id,
          scopes,
          expiresAt: token.accessTokenExpiresAt!,
          certificateThumbprint: partner.certificate,
        });
        await recordSecurityEvent(tx, source, { type: 'token.issued', partnerId: partner.id, actorId: partner.id, authMethod: method, scopes });
      });
      return { ...token, client, user };
    },

    // The resource endpoints verify tokens themselves (src/auth/identity.ts); the library's
    // authenticate() is not used, so it never reads a token back.
    async getAccessToken() {
      return false;
    },
  };
}
