/**
 * Operator access tokens: JWTs issued by the OpenID Connect provider configured with
 * OIDC_ISSUER_URL and OIDC_AUDIENCE. The provider's discovery document
 * (<issuer>/.well-known/openid-configuration) names its key set (`jwks_uri`); jose fetches the
 * keys, keeps them, and fetches them again when a token names a key id it does not hold (the
 * provider rotated its keys), at most once per OIDC_JWKS_COOLDOWN_SECONDS. A token is accepted
 * when its signature verifies with an asymmetric algorithm and its `iss`, `aud`, `exp` and
 * `nbf` (when present) hold, within OIDC_CLOCK_SKEW_SECONDS; it must carry `sub` and `exp`.
 *
 * Partner tokens are opaque base64url strings without dots; an operator token is a JWT, three
 * base64url parts separated by dots (looksLikeJwt): that is how the two are told apart.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AppError } from '../domain/app-error';
import { bearerChallenge } from './challenges';

/** The OpenID Connect provider that authenticates operators, and how its tokens are checked. */
export interface OidcSettings {
  /** The provider's issuer identifier (the tokens' `iss`); its discovery document is at <issuer>/.well-known/openid-configuration. */
  issuer: string;
  /** The `aud` a token must name: this API's identifier at the provider. */
  audience: string;
  /** Tolerance on `exp` and `nbf` for clocks that differ, in seconds. */
  clockSkewSeconds: number;
  /** After fetching the provider's keys, how long before a token with an unknown key id may fetch them again, in seconds. */
  jwksCooldownSeconds: number;
}

/** Three base64url parts separated by dots (RFC 7519 compact serialisation of a JWS). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** True when a bearer token has the shape of a JWT, i.e. may be an operator token. */
export const looksLikeJwt = (token: string): boolean => JWT_SHAPE.test(token);

/** Signature algorithms accepted: asymmetric only (an HMAC key would be a secret shared with the provider). */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** How long the provider may take to answer a discovery or key request, in milliseconds. */
const PROVIDER_TIMEOUT_MS = 5000;

/** The person a verified operator token names, and how it authenticated. */
export interface OperatorClaims {
  /** The issuer the operator is enrolled under: the token's `iss`, or the embedded provider's enrolment issuer. */
  issuer: string;
  subject: string;
  /** When the person authenticated at the provider (`auth_time`, seconds since the epoch), or null. */
  authTime: number | null;
  /** How it authenticated (`amr`, RFC 8176), empty when the token does not say. */
  methods: readonly string[];
  /** The authentication context class it reached (`acr`), or null. */
  contextClass: string | null;
}

const invalid = (description: string) =>
  new AppError('TOKEN_INVALID', `The operator token is invalid: ${description}`, {
    headers: { 'WWW-Authenticate': bearerChallenge('invalid_token', 'The access token is invalid') },
  });

const providerUnavailable = (cause: unknown) =>
  new AppError('SERVICE_UNAVAILABLE', 'The identity provider did not answer; operator tokens cannot be checked now', { cause });

/** Checks operator tokens against one provider; the discovery document is read once, at the first token. */
export class OperatorTokenVerifier {
  private keys: Promise<JWTVerifyGetKey> | undefined;

  /**
   * `stepUpAcr`: the `acr` that shows a multi-factor authentication (OIDC_STEP_UP_ACR).
   * `inProcess`: the embedded provider's key set, held in this process (no discovery), and the
   * issuer its operators are enrolled under (stable, whatever address the provider is served at).
   */
  constructor(
    private readonly settings: OidcSettings,
    private readonly stepUpAcr: string,
    private readonly inProcess?: { keys: JWTVerifyGetKey; enrolledIssuer: string },
  ) {
    if (inProcess) this.keys = Promise.resolve(inProcess.keys);
  }

  /** The provider's key set, from its discovery document (read again after a failure). */
  private keySet(): Promise<JWTVerifyGetKey> {
    this.keys ??= this.discover().catch((error: unknown) => {
      this.keys = undefined;
      throw error;
    });
    return this.keys;
  }

  private async discover(): Promise<JWTVerifyGetKey> {
    const url = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let document: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS), redirect: 'error' });
      if (!answer.ok) throw new Error(`${url} answered ${answer.status}`);
      document = (await answer.json()) as typeof document;
    } catch (error) {
      throw providerUnavailable(error);
    }
    // OpenID Connect Discovery §4.3: the document's issuer is exactly the one configured.
    if (document.issuer !== this.settings.issuer || typeof document.jwks_uri !== 'string') {
      throw providerUnavailable(new Error(`${url} names another issuer or no jwks_uri`));
    }
    return createRemoteJWKSet(new URL(document.jwks_uri), {
      timeoutDuration: PROVIDER_TIMEOUT_MS,
      cooldownDuration: this.settings.jwksCooldownSeconds * 1000,
    });
  }

  /**
   * Throws STEP_UP_REQUIRED (401, with the RFC 9470 challenge naming the `acr` and the age
   * wanted) unless the operator authenticated strongly (`acr` is the step-up one, or `amr`
   * names `mfa`, RFC 8176) within `maxAgeSeconds`, give or take the clock skew: what an
   * operation declaring x-operator-step-up demands.
   */
  checkStepUp(claims: OperatorClaims, maxAgeSeconds: number, now = Date.now()): void {
    const age = claims.authTime === null ? null : Math.floor(now / 1000) - claims.authTime;
    const strong = claims.contextClass === this.stepUpAcr || claims.methods.includes('mfa');
    if (strong && age !== null && age <= maxAgeSeconds + this.settings.clockSkewSeconds) return;
    const why = !strong
      ? `its authentication was not multi-factor (acr is not ${this.stepUpAcr}, amr names no mfa)`
      : age === null
        ? 'the token carries no auth_time'
        : `it authenticated ${age} s ago`;
    throw new AppError('STEP_UP_REQUIRED', `This operation needs a multi-factor authentication within the last ${maxAgeSeconds} s; ${why}`, {
      headers: {
        'WWW-Authenticate': `${bearerChallenge('insufficient_user_authentication', 'A recent multi-factor authentication is required')}, acr_values="${this.stepUpAcr}", max_age=${maxAgeSeconds}`,
      },
    });
  }

  /** The issuer and subject of a valid token; TOKEN_EXPIRED, TOKEN_INVALID, or SERVICE_UNAVAILABLE when the provider's keys cannot be fetched. */
  async verify(token: string): Promise<OperatorClaims> {
    const keys = await this.keySet();
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ALGORITHMS,
        clockTolerance: this.settings.clockSkewSeconds,
        requiredClaims: ['sub', 'exp'],
      });
      const authTime = typeof payload.auth_time === 'number' && Number.isInteger(payload.auth_time) ? payload.auth_time : null;
      const methods = Array.isArray(payload.amr) ? payload.amr.filter((method): method is string => typeof method === 'string') : [];
      const contextClass = typeof payload.acr === 'string' ? payload.acr : null;
      return { issuer: this.inProcess?.enrolledIssuer ?? this.settings.issuer, subject: String(payload.sub), authTime, methods, contextClass };
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        throw new AppError('TOKEN_EXPIRED', 'The operator token expired; get a new one from the identity provider', {
          headers: { 'WWW-Authenticate': bearerChallenge('invalid_token', 'The access token expired') },
        });
      }
      if (error instanceof errors.JWKSTimeout || (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC')) throw providerUnavailable(error);
      if (error instanceof errors.JWTClaimValidationFailed) throw invalid(`claim ${error.claim} check failed (${error.reason})`);
      if (error instanceof errors.JOSEError) throw invalid(error.code);
      throw providerUnavailable(error);
    }
  }
}
