/** POST /oauth/token over real HTTP, through the generated SDK where it can speak the request. */
import { expectDocumented } from './support/contract';
import { basic, call, failure, form, FORM } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let partner: { id: string; key: string; secret: string };

beforeAll(async () => {
  server = await startTestServer();
  partner = await server.partner({ name: 'Wave Sénégal' });
});
afterAll(() => server.stop());

const tokenUrl = () => `${server.url}/oauth/token`;

describe('when a partner authenticates with HTTP Basic', () => {
  it('then it gets an RFC 6749 bearer token with the envelope fields beside it, never cached', async () => {
    const raw = await server.sdk({ key: partner.key, secret: partner.secret }).oauth.createTokenRaw({ grantType: 'client_credentials' });
    const body = await raw.raw.json();

    expect(raw.raw.status).toBe(200);
    expect(raw.raw.headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'partner:profile.read', success: true, code: '0001' });
    expect(body.expires_in).toBeGreaterThan(3590);
    expect(body.expires_in).toBeLessThanOrEqual(3600);
    expect(body.refresh_token).toBeUndefined();
    expectDocumented('createToken', 200, body);
  });

  it('then the token carries at least 256 random bits and only its hash is stored', async () => {
    const token = await server.token(partner.key, partner.secret);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(32);
    const stored = await server.database.db.query<{ token_hash: string }>('SELECT token_hash FROM access_tokens');
    expect(stored.map((row) => row.token_hash)).not.toContain(token);
    const partners = await server.database.db.query('SELECT * FROM partners p JOIN partner_credentials c ON c.partner_id = p.id');
    expect(JSON.stringify(partners)).not.toContain(partner.secret);
  });

  it('then a requested subset of its scopes is granted and an unknown or foreign scope is invalid_scope', async () => {
    const granted = await server
      .sdk({ key: partner.key, secret: partner.secret })
      .oauth.createToken({ grantType: 'client_credentials', scope: 'partner:profile.read' });
    expect(granted.scope).toBe('partner:profile.read');

    const refused = await failure(
      server.sdk({ key: partner.key, secret: partner.secret }).oauth.createToken({ grantType: 'client_credentials', scope: 'core:cards.write' }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_scope', success: false, code: '1007' });
    expectDocumented('createToken', 400, refused.body);
  });
});

describe('when a partner authenticates with body parameters', () => {
  it('then it gets a token', async () => {
    const answer = await server.sdk().oauth.createToken({ grantType: 'client_credentials', clientId: partner.key, clientSecret: partner.secret });
    expect(answer.access_token).toEqual(expect.any(String));
  });

  it('then a wrong secret is invalid_client 400 without WWW-Authenticate', async () => {
    const answer = await failure(server.sdk().oauth.createToken({ grantType: 'client_credentials', clientId: partner.key, clientSecret: 'cs_wrong' }));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_client', code: '1004' });
    expect(answer.headers.get('www-authenticate')).toBeNull();
  });
});

describe('when client authentication fails', () => {
  it('then a wrong secret and an unknown key get the same 401 with WWW-Authenticate: Basic', async () => {
    const wrongSecret = await failure(server.sdk({ key: partner.key, secret: 'cs_wrong' }).oauth.createToken({ grantType: 'client_credentials' }));
    const unknownKey = await failure(server.sdk({ key: 'ck_unknown', secret: partner.secret }).oauth.createToken({ grantType: 'client_credentials' }));

    for (const answer of [wrongSecret, unknownKey]) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm="cynod"/);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expectDocumented('createToken', 401, answer.body);
    }
    const { requestId: _a, ...first } = wrongSecret.body;
    const { requestId: _b, ...second } = unknownKey.body;
    expect(first).toEqual(second);
  });

  it('then a disabled partner gets invalid_client and its tokens stop working at once', async () => {
    const victim = await server.partner({ name: 'Partenaire désactivé' });
    const token = await server.token(victim.key, victim.secret);
    await expect(server.sdk({ token }).partner.getPartnerMe()).resolves.toBeDefined();

    await server.database.db.query(`UPDATE partners SET status = 'disabled' WHERE id = $1`, [victim.id]);

    const refused = await failure(server.sdk({ key: victim.key, secret: victim.secret }).oauth.createToken({ grantType: 'client_credentials' }));
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_client');
    const rejected = await failure(server.sdk({ token }).partner.getPartnerMe());
    expect(rejected.status).toBe(401);
    expect(rejected.body.code).toBe('1002');
  });

  it('then a malformed Basic header is invalid_client 401', async () => {
    const answer = await call(tokenUrl(), {
      method: 'POST',
      headers: { ...FORM, authorization: 'Basic !!!' },
      body: form({ grant_type: 'client_credentials' }),
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: 'invalid_client', code: '1004' });
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic /);
  });
});

describe('when the token request is malformed', () => {
  it('then credentials sent both by Basic and in the body are invalid_request', async () => {
    const answer = await call(tokenUrl(), {
      method: 'POST',
      headers: { ...FORM, authorization: basic(partner.key, partner.secret) },
      body: form({ grant_type: 'client_credentials', client_id: partner.key, client_secret: partner.secret }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request', code: '1009' });
    expectDocumented('createToken', 400, answer.body);
  });

  it('then another grant type is unsupported_grant_type', async () => {
    const answer = await call(tokenUrl(), {
      method: 'POST',
      headers: { ...FORM, authorization: basic(partner.key, partner.secret) },
      body: form({ grant_type: 'password', username: 'a', password: 'b' }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'unsupported_grant_type', code: '1008' });
  });

  it('then a missing grant type or a repeated parameter is invalid_request', async () => {
    const headers = { ...FORM, authorization: basic(partner.key, partner.secret) };
    const missing = await call(tokenUrl(), { method: 'POST', headers, body: form({ scope: 'partner:profile.read' }) });
    const repeated = await call(tokenUrl(), { method: 'POST', headers, body: 'grant_type=client_credentials&grant_type=client_credentials' });
    for (const answer of [missing, repeated]) {
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: 'invalid_request', code: '1010' });
    }
  });

  it('then a JSON body is 415, malformed JSON 400 and an oversized form 413, all RFC shaped', async () => {
    const headers = { authorization: basic(partner.key, partner.secret) };
    const json = await call(tokenUrl(), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{"grant_type":"client_credentials"}',
    });
    const malformed = await call(tokenUrl(), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"grant_type":' });
    const oversized = await call(tokenUrl(), {
      method: 'POST',
      headers: { ...headers, ...FORM },
      body: form({ grant_type: 'client_credentials', scope: 'x'.repeat(32 * 1024) }),
    });

    expect([json.status, malformed.status, oversized.status]).toEqual([415, 400, 413]);
    expect([json.body.code, malformed.body.code, oversized.body.code]).toEqual(['2003', '2002', '2004']);
    for (const answer of [json, malformed, oversized]) {
      expect(answer.body.error).toBe('invalid_request');
      expectDocumented('createToken', answer.status, answer.body);
    }
  });

  it('then GET is 405 with Allow: POST', async () => {
    const answer = await call(tokenUrl());
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.body.code).toBe('2005');
  });
});

describe('when the token lifetime is configured', () => {
  it('then tokens expire after it, and an expired token is refused with its own code', async () => {
    const shortLived = await startTestServer({ config: { tokenTtlSeconds: 120 } });
    try {
      const caller = await shortLived.partner();
      const issued = await shortLived.sdk({ key: caller.key, secret: caller.secret }).oauth.createToken({ grantType: 'client_credentials' });
      expect(issued.expires_in).toBeGreaterThan(110);
      expect(issued.expires_in).toBeLessThanOrEqual(120);

      await shortLived.database.db.query(`UPDATE access_tokens SET expires_at = now() - interval '1 second'`);
      const expired = await failure(shortLived.sdk({ token: issued.access_token }).partner.getPartnerMe());
      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe('1003');
      expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
    } finally {
      await shortLived.stop();
    }
  });
});

describe('when a standard client form-encodes its credentials inside HTTP Basic (RFC 6749 §2.3.1)', () => {
  it('then /oauth/token decodes them as resource calls do, and issues a token', async () => {
    const partner = await server.partner({ basicAllowed: true });
    const encodeAll = (text: string) => [...Buffer.from(text)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    const header = `Basic ${Buffer.from(`${encodeAll(partner.key)}:${encodeAll(partner.secret)}`).toString('base64')}`;
    const token = await call(`${server.url}/oauth/token`, {
      method: 'POST',
      body: 'grant_type=client_credentials',
      headers: { authorization: header, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([token.status, token.body.token_type]).toEqual([200, 'Bearer']);
    const resource = await call(`${server.url}/partner/v1/me`, { headers: { authorization: header } });
    expect(resource.status).toBe(200);
  });
});
