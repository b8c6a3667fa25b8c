/** The @node-oauth/oauth2-server model for the client credentials grant. */
import type { ClientCredentialsModel, Client, Token, User } from '@node-oauth/oauth2-server';
import type { Database } from '../db/database';
import { authenticatePartner, type Partner } from '../domain/partners/partners';
import { saveAccessToken } from './access-tokens';
import { newAccessToken } from './secrets';

interface PartnerClient extends Client {
  partner: Partner;
}

export function oauthModel(db: Database): ClientCredentialsModel {
  return {
    async getClient(clientId: string, clientSecret: string) {
      const partner = await authenticatePartner(db, clientId, clientSecret);
      return partner ? ({ id: partner.id, grants: ['client_credentials'], partner } satisfies PartnerClient) : false;
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
      const partner = (client as PartnerClient).partner;
      await saveAccessToken(db, {
        token: token.accessToken,
        partnerId: partner.id,
        scopes: token.scope ?? [],
        expiresAt: token.accessTokenExpiresAt!,
      });
      return { ...token, client, user };
    },

    // The resource endpoints verify tokens themselves (src/http/security.ts); the library's
    // authenticate() is not used, so it never reads a token back.
    async getAccessToken() {
      return false;
    },
  };
}
