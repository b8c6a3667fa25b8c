/**
 * The embedded OpenID provider: when no OIDC_ISSUER_URL is configured and the demo data is on
 * (`npm start`), an oidc-provider (a certified OpenID provider) is mounted at /oidc of this
 * server, with the demo operators as its accounts and one public client, the console at
 * /login. It serves the authorization code flow with PKCE (S256 only, required), its login
 * page with a second factor (a TOTP code after the password: `amr` pwd and otp, and the
 * step-up `acr`), refresh tokens rotated at each use (a used one coming back revokes the
 * grant), and access tokens that are JWTs for the Core API's audience, checked by the same
 * OperatorTokenVerifier as any provider's (with the provider's key set held in this process,
 * so no request goes out, and the operators enrolled under the demo issuer whatever port
 * the server listens on).
 *
 * Everything it issues lives in this process's memory: its signing key, sessions and tokens
 * are new at every start. Production points OIDC_ISSUER_URL at the organisation's provider.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { createLocalJWKSet, type JWK } from 'jose';
import { errors, interactionPolicy, Provider, type KoaContextWithOIDC } from 'oidc-provider';
import { memoryStore } from './embedded-oidc-store';
import { codePage, consolePage, errorPage, loginPage, type Page } from './embedded-oidc-pages';
import { OperatorTokenVerifier } from './operator-tokens';
import { TotpCodes } from './totp';

/** The `aud` of the embedded provider's access tokens: the Core API (a resource indicator, RFC 8707). */
const EMBEDDED_AUDIENCE = 'urn:cynod:core-api';

/** The console's client id: a public client (no secret) that must use PKCE. */
const CONSOLE_CLIENT_ID = 'cynod-console';

/** The scopes the console asks: the person (openid, profile) and the Core API's resource scope. */
const CONSOLE_SCOPE = 'openid profile core';

/** Where the provider is mounted in this server; its issuer is <base URL>/oidc. */
const MOUNT = '/oidc';

/**
 * How the demo operators authenticate at the embedded provider (`amr`, RFC 8176; `acr`): a
 * password alone, or a password and a TOTP code, whose `acr` is the one the API demands for
 * step-up (OIDC_STEP_UP_ACR).
 */
const PASSWORD_AMR = ['pwd'];
const PASSWORD_ACR = 'urn:cynod:acr:password';
const TOTP_AMR = ['pwd', 'otp'];

/** A person who may log in at the embedded provider: an enrolled operator's subject, name, password and TOTP secret (base32). */
interface EmbeddedAccount {
  subject: string;
  displayName: string;
  password: string;
  totpSecret: string;
}

export interface EmbeddedOidcOptions {
  /** Where browsers reach this server (PUBLIC_BASE_URL, else the public listener's URL). */
  baseUrl: string;
  /** Where the Core API is served (the internal listener's URL when there is one), shown by the console. */
  coreUrl: string;
  accounts: readonly EmbeddedAccount[];
  /** The issuer the accounts are enrolled under as operators. */
  enrolledIssuer: string;
  /** Lifetime of access tokens, in seconds (TOKEN_TTL_SECONDS). */
  accessTokenTtlSeconds: number;
  /** Tolerance on `exp` and `nbf` when the tokens are checked, in seconds. */
  clockSkewSeconds: number;
  /** The `acr` of a login with the second factor, which the API's step-up demands (OIDC_STEP_UP_ACR). */
  stepUpAcr: string;
}

export interface EmbeddedOidc {
  /** The provider's issuer identifier: <base URL>/oidc. */
  issuer: string;
  /** The login page the console starts at: <base URL>/login. */
  loginUrl: string;
  /** Express routes: the console, the provider's interactions (login page) and the provider itself. */
  routes: Router;
  /** Checks the provider's access tokens, as OperatorTokenVerifier checks any provider's. */
  verifier: OperatorTokenVerifier;
}

/** An interaction as the provider describes it to its pages. */
type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

/** How long a login session, a grant and a refresh token last, in seconds. */
const SESSION_TTL_SECONDS = 8 * 3600;

/** Failed passwords for one username before its logins are refused, and the window they are counted over. */
const LOGIN_FAILURE_LIMIT = 10;
const LOGIN_FAILURE_WINDOW_MS = 15 * 60_000;

/** Failed logins per username (known or not) within the window: past the limit, every attempt is refused until the window ends. */
class LoginFailures {
  private readonly failures = new Map<string, number[]>();

  /** Milliseconds until this username may try again, or 0. */
  lockedFor(username: string, now = Date.now()): number {
    const recent = (this.failures.get(username) ?? []).filter((at) => at > now - LOGIN_FAILURE_WINDOW_MS);
    if (recent.length === 0) this.failures.delete(username);
    else this.failures.set(username, recent);
    return recent.length >= LOGIN_FAILURE_LIMIT ? recent[0] + LOGIN_FAILURE_WINDOW_MS - now : 0;
  }

  record(username: string): void {
    // Bounded: past 10,000 usernames tried, the oldest is forgotten (usernames made up by the thousand fill nothing).
    if (!this.failures.has(username) && this.failures.size >= 10_000) this.failures.delete(this.failures.keys().next().value as string);
    this.failures.set(username, [...(this.failures.get(username) ?? []), Date.now()]);
  }
}

/** Constant-time comparison of two passwords (their digests, so lengths do not leak). */
const samePassword = (given: string, expected: string) =>
  timingSafeEqual(createHash('sha256').update(given, 'utf8').digest(), createHash('sha256').update(expected, 'utf8').digest());

/** A password accepted for an interaction, waiting for its second step (the code, or going on without it). */
interface PasswordStep {
  subject: string;
  expiresAt: number;
}

/** How long the second step may wait after the password: the interaction's own lifetime. */
const INTERACTION_TTL_SECONDS = 600;

function send(res: Response, status: number, page: Page): void {
  res.status(status);
  res.setHeader('Content-Security-Policy', page.contentSecurityPolicy);
  res.setHeader('Cache-Control', 'no-store');
  res.type('html').send(page.html);
}

/** The redirect URIs of the console: <base URL>/login, and its localhost spelling when the base URL is 127.0.0.1. */
function consoleRedirects(baseUrl: string): string[] {
  const own = `${baseUrl}/login`;
  const url = new URL(own);
  if (url.hostname !== '127.0.0.1') return [own];
  url.hostname = 'localhost';
  return [own, url.href];
}

/**
 * The provider's interaction policy: its own, and a login asked again when the authorization
 * request names the step-up `acr` in `acr_values` and the session's login did not reach it (a
 * password-only session steps up); `max_age` and `prompt=login` are the provider's own checks.
 */
function interactionPolicyWith(stepUpAcr: string) {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('step_up_acr', 'a multi-factor authentication is required', (ctx) => {
      const wanted = String(ctx.oidc.params?.acr_values ?? '').split(' ');
      return wanted.includes(stepUpAcr) && ctx.oidc.session?.acr !== stepUpAcr
        ? interactionPolicy.Check.REQUEST_PROMPT
        : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}

export function embeddedOidc(options: EmbeddedOidcOptions): EmbeddedOidc {
  const issuer = `${options.baseUrl}${MOUNT}`;
  const accounts = new Map(options.accounts.map((account) => [account.subject, account]));
  const kid = randomUUID();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk: JWK = { ...publicKey.export({ format: 'jwk' }), kty: 'RSA', kid, alg: 'RS256', use: 'sig' };
  const ttl = options.accessTokenTtlSeconds;

  const provider = new Provider(issuer, {
    adapter: memoryStore(),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kty: 'RSA', kid, alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clients: [
      {
        client_id: CONSOLE_CLIENT_ID,
        client_name: 'Console CYNOD',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: consoleRedirects(options.baseUrl),
      },
    ],
    responseTypes: ['code'],
    acrValues: [PASSWORD_ACR, options.stepUpAcr],
    scopes: ['openid', 'profile'],
    claims: { openid: ['sub'], profile: ['name'] },
    findAccount: (_ctx, subject) => {
      const account = accounts.get(subject);
      return account ? { accountId: subject, claims: () => ({ sub: subject, name: account.displayName }) } : undefined;
    },
    interactions: { url: (_ctx, interaction) => `${MOUNT}/interaction/${interaction.uid}`, policy: interactionPolicyWith(options.stepUpAcr) },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      // Access tokens for the Core API are JWTs (RFC 9068) naming its audience, whether or not the client names the resource.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => EMBEDDED_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== EMBEDDED_AUDIENCE) throw new errors.InvalidTarget();
          return { scope: 'core', audience: EMBEDDED_AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    // PKCE for every client; oidc-provider knows S256 only (plain is refused at the authorization endpoint).
    pkce: { required: () => true },
    // Every client allowed the grant gets a refresh token (no offline_access needed), rotated at each use.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    // How and when the person authenticated, for the operations that demand a recent strong authentication.
    extraTokenClaims: (ctx: KoaContextWithOIDC) => {
      const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
      return source ? { auth_time: source.authTime, amr: source.amr, acr: source.acr } : undefined;
    },
    ttl: {
      AccessToken: ttl,
      IdToken: ttl,
      AuthorizationCode: 60,
      Interaction: INTERACTION_TTL_SECONDS,
      Session: SESSION_TTL_SECONDS,
      Grant: SESSION_TTL_SECONDS,
      RefreshToken: SESSION_TTL_SECONDS,
    },
    renderError: (ctx, out) => {
      const page = errorPage(`${out.error}: ${out.error_description ?? ''}`);
      ctx.type = 'html';
      ctx.set('Content-Security-Policy', page.contentSecurityPolicy);
      ctx.body = page.html;
    },
  });

  const routes = Router();
  const failures = new LoginFailures();
  const consoleAnswer = consolePage({ providerPath: MOUNT, clientId: CONSOLE_CLIENT_ID, scope: CONSOLE_SCOPE, coreUrl: options.coreUrl });
  routes.get('/login', (_req, res) => send(res, 200, consoleAnswer));

  /** An interaction the browser no longer has (expired, or opened in another browser): a page saying so. */
  const interactionLost = (res: Response) =>
    send(res, 400, errorPage('La demande de connexion a expiré ou est inconnue. / The login request expired or is unknown.'));

  routes.get(`${MOUNT}/interaction/:uid`, async (req: Request, res: Response) => {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      return interactionLost(res);
    }
    const client = await provider.Client.find(String(details.params.client_id));
    if (details.prompt.name === 'login') {
      return send(res, 200, loginPage(`${MOUNT}/interaction/${details.uid}/login`, client?.clientName ?? String(details.params.client_id), '', null));
    }
    // Consent: the console is this server's own client; what it asks is granted.
    const accountId = details.session?.accountId;
    if (!accountId) return interactionLost(res);
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    if (!grant) return interactionLost(res);
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  });

  const passwordSteps = new Map<string, PasswordStep>();
  const codes = new TotpCodes();
  /** Whether the authorization request names the step-up acr in `acr_values`: then the code is required. */
  const demandsStepUp = (details: InteractionDetails) =>
    String(details.params.acr_values ?? '')
      .split(' ')
      .includes(options.stepUpAcr);
  /** The second step's form: the code, and going on without it unless the request demands the step-up acr. */
  const secondStep = (res: Response, status: number, details: InteractionDetails, clientName: string, alert: 'refused' | 'locked' | null) =>
    send(res, status, codePage(`${MOUNT}/interaction/${details.uid}/code`, clientName, !demandsStepUp(details), alert));

  routes.post(
    `${MOUNT}/interaction/:uid/login`,
    express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 5 }),
    async (req: Request, res: Response) => {
      let details;
      try {
        details = await provider.interactionDetails(req, res);
      } catch {
        return interactionLost(res);
      }
      const body = (req.body ?? {}) as Record<string, unknown>;
      const username = typeof body.username === 'string' ? body.username.trim() : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const account = accounts.get(username);
      const client = await provider.Client.find(String(details.params.client_id));
      const action = `${MOUNT}/interaction/${details.uid}/login`;
      const clientName = client?.clientName ?? String(details.params.client_id);
      const lockedMs = failures.lockedFor(username);
      if (lockedMs > 0) {
        res.setHeader('Retry-After', String(Math.ceil(lockedMs / 1000)));
        return send(res, 429, loginPage(action, clientName, username, 'locked'));
      }
      if (details.prompt.name !== 'login' || !account || !samePassword(password, account.password)) {
        failures.record(username);
        return send(res, 401, loginPage(action, clientName, username, 'refused'));
      }
      // The password holds: the code comes next, in this browser's interaction (its cookie binds the uid).
      const now = Date.now();
      for (const [uid, step] of passwordSteps) if (step.expiresAt <= now) passwordSteps.delete(uid);
      passwordSteps.set(details.uid, { subject: account.subject, expiresAt: now + INTERACTION_TTL_SECONDS * 1000 });
      secondStep(res, 200, details, clientName, null);
    },
  );

  routes.post(
    `${MOUNT}/interaction/:uid/code`,
    express.urlencoded({ extended: false, limit: '1kb', parameterLimit: 3 }),
    async (req: Request, res: Response) => {
      let details;
      try {
        details = await provider.interactionDetails(req, res);
      } catch {
        return interactionLost(res);
      }
      const step = passwordSteps.get(details.uid);
      const account = step && step.expiresAt > Date.now() ? accounts.get(step.subject) : undefined;
      if (!account || details.prompt.name !== 'login') return interactionLost(res);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const client = await provider.Client.find(String(details.params.client_id));
      const clientName = client?.clientName ?? String(details.params.client_id);
      const lockedMs = failures.lockedFor(account.subject);
      if (lockedMs > 0) {
        res.setHeader('Retry-After', String(Math.ceil(lockedMs / 1000)));
        return secondStep(res, 429, details, clientName, 'locked');
      }
      let login: { amr: string[]; acr: string };
      if (body.action === 'password-only' && !demandsStepUp(details)) {
        login = { amr: PASSWORD_AMR, acr: PASSWORD_ACR };
      } else if (codes.accept(account.subject, account.totpSecret, typeof body.code === 'string' ? body.code.trim() : '')) {
        login = { amr: TOTP_AMR, acr: options.stepUpAcr };
      } else {
        failures.record(account.subject);
        return secondStep(res, 401, details, clientName, 'refused');
      }
      passwordSteps.delete(details.uid);
      await provider.interactionFinished(req, res, { login: { accountId: account.subject, ...login, remember: false } }, { mergeWithLastSubmission: false });
    },
  );

  routes.use(MOUNT, provider.callback());

  return {
    issuer,
    loginUrl: `${options.baseUrl}/login`,
    routes,
    verifier: new OperatorTokenVerifier(
      { issuer, audience: EMBEDDED_AUDIENCE, clockSkewSeconds: options.clockSkewSeconds, jwksCooldownSeconds: 0 },
      options.stepUpAcr,
      { keys: createLocalJWKSet({ keys: [publicJwk] }), enrolledIssuer: options.enrolledIssuer },
    ),
  };
}
