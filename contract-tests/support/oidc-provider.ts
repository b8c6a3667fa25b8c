/**
 * A stand-in OpenID Connect provider for the tests: an HTTP server on a free loopback port
 * serving a discovery document and a JSON Web Key Set, with keys made by jose. It signs
 * operator tokens, rotates its key (a new key id; the old key leaves the set) and counts the
 * key-set requests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type KeyLike } from 'jose';
import { usedSecret } from './log-capture';

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  jwk: JWK;
}

async function newKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

interface TokenOptions {
  /** Claims to add or override (iss, aud, sub, exp, nbf...). */
  claims?: JWTPayload;
  /** Sign with this key instead of the provider's current one. */
  key?: SigningKey;
}

export interface OidcProvider {
  issuer: string;
  audience: string;
  /** How many times the key set was fetched. */
  jwksFetches(): number;
  /** A token for the subject: iss, aud, sub, iat, exp (in 5 minutes) unless `claims` overrides them. */
  token(subject: string, options?: TokenOptions): Promise<string>;
  /** A key the provider does not publish, under the current key's id (a forged signature). */
  forgedKey(): Promise<SigningKey>;
  /** Replaces the published key by a new one with a new key id. */
  rotate(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOidcProvider(audience = 'cynod-core-api'): Promise<OidcProvider> {
  let generation = 1;
  let current = await newKey('key-1');
  let fetches = 0;
  let issuer = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (req.url === '/jwks') {
      fetches += 1;
      res.end(JSON.stringify({ keys: [current.jwk] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    audience,
    jwksFetches: () => fetches,
    async token(subject, { claims = {}, key = current } = {}) {
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ iss: issuer, aud: audience, sub: subject, iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .sign(key.privateKey);
      usedSecret(token);
      return token;
    },
    forgedKey: async () => newKey(current.kid),
    async rotate() {
      generation += 1;
      current = await newKey(`key-${generation}`);
    },
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
