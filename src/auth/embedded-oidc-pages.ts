/**
 * The pages of the embedded OpenID provider, in French and English: the login form of the
 * provider, and the console at /login, a public client in the browser that runs the
 * authorization code flow with PKCE (S256) and shows the tokens to paste into a command.
 * Every page has its own Content-Security-Policy: its styles and its one script by sha256,
 * forms posting to this origin only.
 */
import { createHash } from 'node:crypto';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] as string);

const sha256Source = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f3f5f7; color: #1c2430; margin: 0; }
main { max-width: 34rem; margin: 4rem auto; background: #fff; border: 1px solid #d5dbe1; border-radius: 8px; padding: 2rem 2.25rem; }
h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
p.sub { color: #4a5663; margin: 0 0 1.5rem; }
label { display: block; font-weight: 600; margin: 1rem 0 .35rem; }
label span { font-weight: 400; color: #4a5663; }
input { width: 100%; box-sizing: border-box; font-size: 1rem; padding: .6rem .7rem; border: 1px solid #9aa6b2; border-radius: 5px; }
input:focus, button:focus, textarea:focus { outline: 3px solid #7fb0e8; outline-offset: 1px; }
button { margin-top: 1.5rem; width: 100%; font-size: 1rem; font-weight: 600; padding: .7rem; border: 0; border-radius: 5px; background: #0b5cad; color: #fff; cursor: pointer; }
button.secondary { margin-top: .75rem; background: #fff; color: #0b5cad; border: 1px solid #0b5cad; }
.error { background: #fdecec; border: 1px solid #e3a1a1; color: #8a1c1c; border-radius: 5px; padding: .6rem .8rem; margin-bottom: 1rem; }
.note { color: #4a5663; font-size: .9rem; margin-top: 1.5rem; }
textarea { width: 100%; box-sizing: border-box; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .8rem; padding: .5rem; border: 1px solid #9aa6b2; border-radius: 5px; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .85rem; }
dt { font-weight: 600; margin-top: 1rem; }
dd { margin: .35rem 0 0; }
`;

/** A page and the Content-Security-Policy that lets exactly its own style and script run. */
export interface Page {
  html: string;
  contentSecurityPolicy: string;
}

function page(title: string, body: string, script = ''): Page {
  const html = `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>${script ? `\n<script>${script}</script>` : ''}
</body>
</html>
`;
  const policy = [
    "default-src 'none'",
    `style-src ${sha256Source(STYLE)}`,
    ...(script ? [`script-src ${sha256Source(script)}`, "connect-src 'self'"] : []),
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy: policy };
}

const LOGIN_ALERTS = {
  refused: 'Identifiant ou mot de passe incorrect. / Wrong username or password.',
  locked: 'Trop de tentatives pour cet identifiant : réessayez dans quelques minutes. / Too many attempts for this username: try again in a few minutes.',
};

/** The provider's login form for one interaction; `alert` says why the last attempt was refused. */
export function loginPage(action: string, clientName: string, username: string, alert: keyof typeof LOGIN_ALERTS | null): Page {
  return page(
    'Connexion / Log in — CYNOD',
    `<h1>Connexion opérateur / Operator log in</h1>
<p class="sub">CYNOD — application : ${escapeHtml(clientName)}</p>
${alert ? `<p class="error" role="alert">${LOGIN_ALERTS[alert]}</p>` : ''}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
<label for="username">Identifiant <span>/ Username</span></label>
<input id="username" name="username" required autofocus autocapitalize="none" spellcheck="false" value="${escapeHtml(username)}">
<label for="password">Mot de passe <span>/ Password</span></label>
<input id="password" name="password" type="password" required>
<button type="submit">Se connecter / Log in</button>
</form>
<p class="note">Fournisseur d'identité de démonstration intégré : les opérateurs, leurs mots de passe et leurs seconds facteurs (TOTP) sont affichés par <code>npm start</code>.<br>
Embedded demo identity provider: <code>npm start</code> prints the operators, their passwords and their second factors (TOTP).</p>`,
  );
}

const CODE_ALERTS = {
  refused: 'Code incorrect ou déjà utilisé. / Wrong or already used code.',
  locked: LOGIN_ALERTS.locked,
};

/**
 * The second step of a login, after the password: the six-digit code of the operator's
 * authenticator app (TOTP). `passwordOnly`: the request does not demand a second factor, so the
 * person may go on without it (a password-only login).
 */
export function codePage(action: string, clientName: string, passwordOnly: boolean, alert: keyof typeof CODE_ALERTS | null): Page {
  return page(
    'Second facteur / Second factor — CYNOD',
    `<h1>Second facteur / Second factor</h1>
<p class="sub">CYNOD — application : ${escapeHtml(clientName)}</p>
${alert ? `<p class="error" role="alert">${CODE_ALERTS[alert]}</p>` : ''}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
<label for="code">Code à usage unique <span>/ One-time code</span></label>
<input id="code" name="code" required autofocus inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code">
<button type="submit" name="action" value="code">Vérifier / Verify</button>
${passwordOnly ? '<button type="submit" name="action" value="password-only" class="secondary" formnovalidate>Continuer sans code / Continue without a code</button>' : ''}
</form>
<p class="note">Le code de votre application d'authentification (TOTP). Sans lui, exécuter un bon ou révéler un numéro de carte est refusé.<br>
The code of your authenticator app (TOTP). Without it, executing a voucher or revealing a card number is refused.</p>`,
  );
}

/** A refusal the person can read (an expired or unknown interaction, a provider error). */
export function errorPage(message: string): Page {
  return page(
    'Erreur / Error — CYNOD',
    `<h1>Connexion impossible / Cannot log in</h1>
<p class="error" role="alert">${escapeHtml(message)}</p>
<p><a href="/login">Recommencer / Start again</a></p>`,
  );
}

/**
 * The console's script: without a code, a PKCE verifier and a state are kept in the tab's
 * sessionStorage and the browser goes to the authorization endpoint with the S256 challenge and
 * `prompt=login` (each visit is a new authentication, so its token's auth_time is now: how an
 * operator steps up after a 4186);
 * back with a code, it checks the state, exchanges the code at the token endpoint with the
 * verifier and shows the tokens. The client's settings are read from the page's data attributes.
 */
const CONSOLE_SCRIPT = `
(async () => {
  const { provider, clientId, scope, coreUrl } = document.getElementById('console').dataset;
  const redirectUri = location.origin + location.pathname;
  const show = (id) => { document.getElementById(id).hidden = false; document.getElementById('working').hidden = true; };
  const fail = (text) => { document.getElementById('failure').textContent = text; show('failed'); };
  const random = () => { const bytes = crypto.getRandomValues(new Uint8Array(32)); return btoa(String.fromCharCode(...bytes)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, ''); };
  const query = new URLSearchParams(location.search);
  if (query.has('error')) return fail(query.get('error') + ': ' + (query.get('error_description') || ''));
  if (!query.has('code')) {
    const verifier = random();
    const state = random();
    sessionStorage.setItem('cynod-login', JSON.stringify({ verifier, state }));
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const challenge = btoa(String.fromCharCode(...digest)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
    const target = new URL(provider + '/auth', location.origin);
    for (const [name, value] of Object.entries({ client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope, state, code_challenge: challenge, code_challenge_method: 'S256', prompt: 'login' })) target.searchParams.set(name, value);
    location.assign(target.href);
    return;
  }
  const kept = JSON.parse(sessionStorage.getItem('cynod-login') || 'null');
  sessionStorage.removeItem('cynod-login');
  history.replaceState(null, '', location.pathname);
  if (!kept || kept.state !== query.get('state')) return fail('state');
  const answer = await fetch(provider + '/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: query.get('code'), redirect_uri: redirectUri, client_id: clientId, code_verifier: kept.verifier }),
  });
  const tokens = await answer.json();
  if (!answer.ok) return fail(tokens.error + ': ' + (tokens.error_description || ''));
  const person = tokens.id_token ? JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(tokens.id_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)))) : {};
  document.getElementById('person').textContent = (person.name || '') + ' (' + (person.sub || '?') + ')';
  document.getElementById('access-token').value = tokens.access_token;
  document.getElementById('refresh-token').value = tokens.refresh_token || '';
  document.getElementById('expires').textContent = String(tokens.expires_in);
  document.getElementById('command').value = 'OPERATOR_TOKEN=' + tokens.access_token + '\\ncurl -s -H "Authorization: Bearer $OPERATOR_TOKEN" ' + coreUrl + '/core/v1/cards';
  show('tokens');
})().catch((error) => { document.getElementById('failure').textContent = String(error); document.getElementById('failed').hidden = false; document.getElementById('working').hidden = true; });
`;

/** The console at /login: the provider's path on this origin, the public client's id, the scopes it asks and the Core API's base URL. */
export function consolePage(settings: { providerPath: string; clientId: string; scope: string; coreUrl: string }): Page {
  const data = Object.entries({ provider: settings.providerPath, 'client-id': settings.clientId, scope: settings.scope, 'core-url': settings.coreUrl })
    .map(([name, value]) => `data-${name}="${escapeHtml(value)}"`)
    .join(' ');
  return page(
    'Jeton opérateur / Operator token — CYNOD',
    `<div id="console" ${data}></div>
<h1>Jeton opérateur / Operator token</h1>
<p class="sub">CYNOD — console de démonstration / demo console</p>
<p id="working">Redirection vers la page de connexion… / Going to the login page…</p>
<div id="failed" hidden><p class="error" role="alert" id="failure"></p><p><a href="/login">Recommencer / Start again</a></p></div>
<dl id="tokens" hidden>
<dt>Connecté en tant que / Logged in as</dt>
<dd id="person"></dd>
<dt><label for="access-token">Jeton d'accès / Access token</label> <span>(<span id="expires"></span> s)</span></dt>
<dd><textarea id="access-token" rows="6" readonly></textarea></dd>
<dt><label for="command">Appeler l'API Core / Call the Core API</label></dt>
<dd><textarea id="command" rows="5" readonly></textarea></dd>
<dt><label for="refresh-token">Jeton de rafraîchissement / Refresh token</label></dt>
<dd><textarea id="refresh-token" rows="2" readonly></textarea></dd>
</dl>`,
    CONSOLE_SCRIPT,
  );
}
