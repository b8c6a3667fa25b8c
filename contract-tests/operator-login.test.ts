/**
 * The embedded OpenID provider of `npm start` (no OIDC_ISSUER_URL): the server as its own
 * process on a fresh data directory, its demo operators' passwords and TOTP secrets read from
 * the data directory (the codes computed here with the same library, otpauth). The login page
 * is driven once in headless Chromium (Debian's chromium through playwright-core; skipped
 * outside CI when missing): the console at /login runs the authorization code flow with PKCE,
 * password then code, and a Core call with the token it shows succeeds. The token endpoint is
 * used directly for the rest: the second factor and step-up (a voucher entered by the maker,
 * validated and executed by the checker with a TOTP login, refused 4186 without; a card number
 * revealed; a wrong or replayed code refused; the login asked again for the step-up acr or
 * max_age), the code bound to its S256 challenge, refresh tokens rotated (a used one refused,
 * and the grant revoked with it), the plain PKCE method and a request without PKCE refused, a
 * wrong password refused on the login page.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { chromium, type Browser } from 'playwright-core';
import { startApiProcess, type ApiProcess } from './support/api-process';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const browserAvailable = existsSync(CHROMIUM);
if (!browserAvailable && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
if (!browserAvailable) console.warn(`operator-login: ${CHROMIUM} not found, the browser test is skipped (apt-get install chromium)`);

/** Screenshots a person can look at, kept by CI. */
const artifacts = join(__dirname, '..', 'test-artifacts');

const CLIENT_ID = 'cynod-console';

/** The `acr` of a login with the second factor: OIDC_STEP_UP_ACR's default. */
const STEP_UP_ACR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

let dataDir: string;
let server: ApiProcess;
let base: string;
let credentials: Record<string, { password: string; totpSecret: string }>;
const passwordOf = (username: string) => credentials[username].password;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cynod-login-'));
  server = startApiProcess({ DATA_DIR: dataDir });
  base = await server.url;
  credentials = JSON.parse(readFileSync(join(dataDir, 'demo-operators.json'), 'utf8')) as typeof credentials;
}, 90_000);

const TOTP_PERIOD_MS = 30_000;
const lastStep = new Map<string, number>();

/**
 * A TOTP code of the operator that it has not used yet: the current 30-second step's, or the
 * next step's when this one is used (the provider accepts one step either side and each step
 * once), waiting when both are.
 */
async function freshCode(username: string): Promise<string> {
  let step = Math.max(Math.floor(Date.now() / TOTP_PERIOD_MS), (lastStep.get(username) ?? -1) + 1);
  const wait = (step - 1) * TOTP_PERIOD_MS - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 1000));
  step = Math.max(step, Math.floor(Date.now() / TOTP_PERIOD_MS));
  lastStep.set(username, step);
  return TOTP.generate({ secret: Secret.fromBase32(credentials[username].totpSecret), timestamp: step * TOTP_PERIOD_MS });
}

afterAll(async () => {
  server?.kill('SIGTERM');
  await server?.exit;
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

/** A browser's cookies for one login, every path alike (enough for one provider on one origin). */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const answer = await fetch(new URL(url, base), { ...init, headers, redirect: 'manual' });
    for (const line of answer.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const equals = pair.indexOf('=');
      this.cookies.set(pair.slice(0, equals), pair.slice(equals + 1));
    }
    return answer;
  }
}

const pkcePair = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

const authorizationUrl = (parameters: Record<string, string>) => {
  const url = new URL('/oidc/auth', base);
  const all = { client_id: CLIENT_ID, response_type: 'code', redirect_uri: `${base}/login`, scope: 'openid profile core', state: 'st4te', ...parameters };
  for (const [name, value] of Object.entries(all)) url.searchParams.set(name, value);
  return url.href;
};

/** The login page's answer to a username and password, and the browser's cookies, for an authorization request. */
async function submitLogin(username: string, password: string, parameters: Record<string, string>) {
  const jar = new CookieJar();
  const started = await jar.request(authorizationUrl(parameters));
  expect(started.status).toBe(303);
  const interaction = started.headers.get('location')!;
  expect(interaction).toMatch(/^\/oidc\/interaction\//);
  const form = await jar.request(interaction);
  expect(form.status).toBe(200);
  const answer = await jar.request(`${interaction}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }),
  });
  return { jar, answer };
}

/** The second step's answer in that browser: a code, or going on without one (`null`). */
async function submitCode(jar: CookieJar, codePage: Response, code: string | null): Promise<Response> {
  const action = /<form method="post" action="([^"]+)"/.exec(await codePage.text())![1];
  expect(action).toMatch(/^\/oidc\/interaction\/[^/]+\/code$/);
  return jar.request(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(code === null ? { action: 'password-only' } : { action: 'code', code }),
  });
}

/** How a test logs in: with a TOTP code (a fresh one, or this one), or with the password alone. */
type SecondFactor = 'totp' | 'password-only' | { code: string };

/** Follows the redirects after a finished login to the console and returns the authorization code its address carries. */
async function codeFromRedirects(jar: CookieJar, answer: Response): Promise<string> {
  expect(answer.status).toBe(303);
  let location = answer.headers.get('location');
  // Back to the authorization endpoint, through the (automatic) consent of the server's own client, to the console.
  for (let hop = 0; hop < 6 && location && !location.startsWith(`${base}/login?`); hop += 1) {
    const next = await jar.request(location);
    expect(next.status).toBe(303);
    location = next.headers.get('location');
  }
  const redirect = new URL(location!);
  expect(redirect.searchParams.get('state')).toBe('st4te');
  expect(redirect.searchParams.get('iss')).toBe(`${base}/oidc`);
  return redirect.searchParams.get('code')!;
}

/** Logs in over HTTP as a browser would (password, then the second step) and returns the browser and the authorization code. */
async function logIn(username: string, challenge: string, factor: SecondFactor, parameters: Record<string, string> = {}) {
  const { jar, answer } = await submitLogin(username, passwordOf(username), { code_challenge: challenge, code_challenge_method: 'S256', ...parameters });
  expect(answer.status).toBe(200);
  const code = factor === 'password-only' ? null : factor === 'totp' ? await freshCode(username) : factor.code;
  return { jar, code: await codeFromRedirects(jar, await submitCode(jar, answer, code)) };
}

/** The authorization code of a login, password only unless told. */
async function authorizationCode(username: string, challenge: string, factor: SecondFactor = 'password-only'): Promise<string> {
  return (await logIn(username, challenge, factor)).code;
}

const tokenRequest = (parameters: Record<string, string>) =>
  fetch(`${base}/oidc/token`, { method: 'POST', body: new URLSearchParams({ client_id: CLIENT_ID, ...parameters }) });

interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

async function tokensFor(username: string, factor: SecondFactor = 'password-only'): Promise<Tokens> {
  const { verifier, challenge } = pkcePair();
  const code = await authorizationCode(username, challenge, factor);
  const answer = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: `${base}/login`, code_verifier: verifier });
  expect(answer.status).toBe(200);
  return (await answer.json()) as Tokens;
}

const coreCall = (token: string, path: string) => fetch(`${base}/core/v1/${path}`, { headers: { authorization: `Bearer ${token}` } });

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/** A Core POST with an Idempotency-Key, and a JSON body when given one. */
const corePost = (token: string, path: string, body?: unknown) =>
  fetch(`${base}/core/v1/${path}`, {
    method: 'POST',
    headers: { ...(body === undefined ? { accept: 'application/json' } : JSON_HEADERS), authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** An active demo member card's id. */
async function activeCardId(token: string): Promise<string> {
  const answer = (await (await coreCall(token, 'cards?kind=member&status=active')).json()) as { data: { items: { id: string }[] } };
  const card = answer.data.items[0];
  expect(card).toBeDefined();
  return card!.id;
}

/** A step-up refusal: 401, code 4186, the RFC 9470 challenge naming the acr and the age wanted. */
async function expectStepUpRefusal(answer: Response): Promise<void> {
  expect(answer.status).toBe(401);
  expect(((await answer.json()) as { code: string }).code).toBe('4186');
  expect(answer.headers.get('www-authenticate')).toMatch(
    new RegExp(`^Bearer .*error="insufficient_user_authentication".*acr_values="${STEP_UP_ACR.replace(/[.?/]/g, '\\$&')}", max_age=300$`),
  );
}

describe('the second factor (TOTP) and step-up at the embedded provider', () => {
  it('when the checker logs in with its TOTP code, then its token is multi-factor and executes the voucher the maker entered; with the password alone, 4186', async () => {
    const maker = await tokensFor('saisie-bons');
    const cardId = await activeCardId(maker.access_token);
    const entered = await corePost(maker.access_token, 'orders', {
      type: 'recharge',
      lines: [{ cardId, amount: { value: 5000, unit: 'XOF' } }],
      reason: 'Dotation saisie par la démo',
    });
    expect(entered.status).toBe(200);
    const orderId = ((await entered.json()) as { data: { id: string } }).data.id;

    const passwordOnly = await tokensFor('validation-bons');
    expect(claimsOf(passwordOnly.access_token)).toMatchObject({ amr: ['pwd'], acr: 'urn:cynod:acr:password' });
    expect((await corePost(passwordOnly.access_token, `orders/${orderId}/validate`, {})).status).toBe(200);
    await expectStepUpRefusal(await corePost(passwordOnly.access_token, `orders/${orderId}/execute`, {}));

    const stepUp = await tokensFor('validation-bons', 'totp');
    expect(claimsOf(stepUp.access_token)).toMatchObject({ sub: 'validation-bons', amr: ['pwd', 'otp'], acr: STEP_UP_ACR });
    expect(Number(claimsOf(stepUp.access_token).auth_time)).toBeGreaterThan(Date.now() / 1000 - 60);
    const executed = await corePost(stepUp.access_token, `orders/${orderId}/execute`, {});
    expect(executed.status).toBe(200);
    const order = ((await executed.json()) as { data: { status: string; steps: { step: string; actor: { name: string } }[] } }).data;
    expect(order.status).toBe('executed');
    expect(order.steps.map((step) => [step.step, step.actor.name])).toEqual([
      ['entered', 'Koffi Yao (saisie des bons)'],
      ['validated', 'Fatou Bamba (validation des bons)'],
      ['executed', 'Fatou Bamba (validation des bons)'],
    ]);
  });

  it('when the administrator logs in with its TOTP code, then it reveals a card number; with the password alone, 4186', async () => {
    const passwordOnly = await tokensFor('admin-emetteur');
    const cardId = await activeCardId(passwordOnly.access_token);
    await expectStepUpRefusal(await corePost(passwordOnly.access_token, `cards/${cardId}/reveal`));
    const revealed = await corePost((await tokensFor('admin-emetteur', 'totp')).access_token, `cards/${cardId}/reveal`);
    expect(revealed.status).toBe(200);
    expect(((await revealed.json()) as { data: { number: string } }).data.number).toMatch(/^\d{16,19}$/);
  });

  it('when the code is wrong, or used already, then the code page refuses it and the interaction goes nowhere', async () => {
    const challenge = { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' };
    const first = await submitLogin('gestionnaire-sotra', passwordOf('gestionnaire-sotra'), challenge);
    expect(first.answer.status).toBe(200);
    const code = await freshCode('gestionnaire-sotra');
    const wrong = await submitCode(first.jar, first.answer, String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('location')).toBeNull();
    const page = await wrong.text();
    expect(page).toContain('Code incorrect ou déjà utilisé');
    expect(page).toContain('Wrong or already used code');
    // The right code is still accepted in that interaction, once.
    expect((await submitCode(first.jar, new Response(page), code)).status).toBe(303);

    const second = await submitLogin('gestionnaire-sotra', passwordOf('gestionnaire-sotra'), challenge);
    const replayed = await submitCode(second.jar, second.answer, code);
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get('location')).toBeNull();
    expect(await replayed.text()).toContain('Wrong or already used code');
  });

  it('when a password-only session is asked for the step-up acr or a max_age it exceeds, then the login page comes again, without the way around the code', async () => {
    const { jar } = await logIn('gestionnaire-sotra', pkcePair().challenge, 'password-only');
    // The session answers a plain request at once (single sign-on)...
    const again = await jar.request(authorizationUrl({ code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }));
    expect(again.headers.get('location')).toMatch(new RegExp(`^${base}/login\\?code=`));
    // ...but not one naming the step-up acr, nor one whose max_age its login exceeds.
    for (const parameters of [{ acr_values: STEP_UP_ACR }, { max_age: '0' }] as Record<string, string>[]) {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const stepUp = await jar.request(authorizationUrl({ code_challenge: pkcePair().challenge, code_challenge_method: 'S256', ...parameters }));
      expect(stepUp.status).toBe(303);
      expect(stepUp.headers.get('location')).toMatch(/^\/oidc\/interaction\//);
    }
    const demanded = await submitLogin('gestionnaire-sotra', passwordOf('gestionnaire-sotra'), {
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
      acr_values: STEP_UP_ACR,
    });
    const page = await demanded.answer.text();
    expect(page).toContain('Code à usage unique');
    expect(page).not.toContain('Continue without a code');
    const skipped = await submitCode(demanded.jar, new Response(page), null);
    expect(skipped.status).toBe(401);
  });
});

describe('the embedded OpenID provider, by its token endpoint', () => {
  it('when a demo operator exchanges its code with the PKCE verifier, then it gets a JWT for the Core API that a Core call accepts', async () => {
    const tokens = await tokensFor('admin-emetteur');
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const claims = claimsOf(tokens.access_token);
    expect(claims).toMatchObject({ iss: `${base}/oidc`, aud: 'urn:cynod:core-api', sub: 'admin-emetteur', amr: ['pwd'], client_id: CLIENT_ID });
    expect(claims.auth_time).toEqual(expect.any(Number));
    const cards = await coreCall(tokens.access_token, 'cards');
    expect(cards.status).toBe(200);
    expect(((await cards.json()) as { data: { items: unknown[] } }).data.items.length).toBeGreaterThan(0);
  });

  it("when a fleet manager's token asks for an issuer-wide operation, then its rights decide, not the provider", async () => {
    const tokens = await tokensFor('gestionnaire-sotra');
    expect((await coreCall(tokens.access_token, 'cards')).status).toBe(200);
    const partners = await coreCall(tokens.access_token, 'partners');
    expect(partners.status).toBe(403);
  });

  it('when the code is exchanged with another verifier, then it is refused; with its own, once only', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await authorizationCode('saisie-bons', challenge);
    const exchange = (codeVerifier: string) =>
      tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: `${base}/login`, code_verifier: codeVerifier });
    const wrong = await exchange(pkcePair().verifier);
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    const missing = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: `${base}/login` });
    expect(missing.status).toBe(400);
    expect((await exchange(verifier)).status).toBe(200);
    const again = await exchange(verifier);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('when a refresh token is used, then a new one replaces it; the used one is refused and revokes the grant', async () => {
    const first = await tokensFor('validation-bons');
    const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as Tokens;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(claimsOf(second.access_token)).toMatchObject({ sub: 'validation-bons', aud: 'urn:cynod:core-api', amr: ['pwd'] });
    expect((await coreCall(second.access_token, 'cards')).status).toBe(200);

    const replayed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(replayed.status).toBe(400);
    expect(await replayed.json()).toMatchObject({ error: 'invalid_grant' });
    // Reuse of a rotated refresh token means it leaked: the grant and every token of it are revoked.
    const afterReuse = await tokenRequest({ grant_type: 'refresh_token', refresh_token: second.refresh_token });
    expect(afterReuse.status).toBe(400);
  });

  it('when the client asks for the plain PKCE method, or for no PKCE, then the authorization endpoint refuses', async () => {
    const jar = new CookieJar();
    const plain = await jar.request(authorizationUrl({ code_challenge: pkcePair().verifier, code_challenge_method: 'plain' }));
    expect(plain.status).toBe(303);
    const refused = new URL(plain.headers.get('location')!);
    expect(`${refused.origin}${refused.pathname}`).toBe(`${base}/login`);
    expect(refused.searchParams.get('error')).toBe('invalid_request');
    expect(refused.searchParams.get('error_description')).toMatch(/code_challenge_method/);
    expect(refused.searchParams.has('code')).toBe(false);

    const without = new URL((await jar.request(authorizationUrl({}))).headers.get('location')!);
    expect(without.searchParams.get('error')).toBe('invalid_request');
    expect(without.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('when the password is wrong, then the login page says so and the interaction goes nowhere', async () => {
    const { answer } = await submitLogin('admin-emetteur', 'not-the-password', { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('location')).toBeNull();
    const page = await answer.text();
    expect(page).toContain('Identifiant ou mot de passe incorrect');
    expect(page).toContain('Wrong username or password');
    expect(page).toContain('value="admin-emetteur"');
  });

  it('when a username has failed ten times, then the next attempt is refused, the right password included', async () => {
    const challenge = { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' };
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect((await submitLogin('saisie-bons', `wrong-${attempt}`, challenge)).answer.status).toBe(401);
    }
    const { answer } = await submitLogin('saisie-bons', passwordOf('saisie-bons'), challenge);
    expect(answer.status).toBe(429);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(answer.headers.get('location')).toBeNull();
    expect(await answer.text()).toContain('Too many attempts for this username');
    // Another username is not locked with it.
    expect((await submitLogin('validation-bons', passwordOf('validation-bons'), challenge)).answer.status).toBe(200);
  });
});

(browserAvailable ? describe : describe.skip)('the login page in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('when an operator opens /login and logs in, then the console shows a token a Core call accepts', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(`${base}/login`);
    // The console sent the browser to the provider, which shows its login page.
    await page.getByLabel('Identifiant / Username').waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toMatch(/^\/oidc\/interaction\//);
    await expect(page.getByRole('heading', { name: 'Connexion opérateur / Operator log in' }).count()).resolves.toBe(1);
    await page.screenshot({ path: join(artifacts, 'operator-login.png') });

    await page.getByLabel('Identifiant / Username').fill('admin-emetteur');
    await page.getByLabel('Mot de passe / Password').fill(passwordOf('admin-emetteur'));
    await page.getByRole('button', { name: 'Se connecter / Log in' }).click();
    // The second factor, after the password.
    await page.getByLabel('Code à usage unique / One-time code').waitFor({ timeout: 30_000 });
    await page.getByLabel('Code à usage unique / One-time code').fill(await freshCode('admin-emetteur'));
    await page.getByRole('button', { name: 'Vérifier / Verify' }).click();

    const tokenField = page.locator('#access-token');
    await tokenField.waitFor({ state: 'visible', timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).search).toBe(''); // the code left the address bar
    await page.screenshot({ path: join(artifacts, 'operator-login-token.png') });
    const token = await tokenField.inputValue();
    expect(claimsOf(token)).toMatchObject({ sub: 'admin-emetteur', aud: 'urn:cynod:core-api', amr: ['pwd', 'otp'], acr: STEP_UP_ACR });
    expect(await page.locator('#command').inputValue()).toContain(`${base}/core/v1/cards`);
    expect(await page.locator('#person').textContent()).toBe("Mariam Ouattara (administratrice de l'émetteur) (admin-emetteur)");

    const cards = await coreCall(token, 'cards');
    expect(cards.status).toBe(200);
    expect(consoleErrors).toEqual([]);
  }, 90_000);
});
