/**
 * The contract's text rule (guide, "Text fields"; src/domain/text.ts) over real HTTP: NUL,
 * control, bidirectional and zero-width characters and lone surrogates are refused with 400
 * and the field named, never a 500 from PostgreSQL; accepted text is stored NFC.
 */
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
});
afterAll(() => server.stop());

const json = (method: string, body: unknown) => ({
  method,
  body: JSON.stringify(body),
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
});
const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  body: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
});
const count = async (sql: string, params: unknown[] = []) => (await server.database.db.query<{ n: number }>(sql, params))[0].n;

const REFUSED: [string, string][] = [
  ['a NUL', 'Réseau\u0000Abidjan'],
  ['a control character', 'Réseau\u0007Abidjan'],
  ['a bidirectional override', 'Réseau \u202EnajdibA'],
  ['a zero-width space', 'Réseau\u200BAbidjan'],
  ['a lone surrogate', 'Réseau \uD800 Abidjan'],
];

describe('when a text field carries a refused character', () => {
  it.each(REFUSED)('then %s in a JSON body is 400 2001 naming the field, and nothing is created', async (_label, name) => {
    const before = await count('SELECT count(*)::int AS n FROM networks');
    const answer = await call(`${server.url}/core/v1/networks`, json('POST', { code: `TXT-${Date.now()}`, name }));
    expect([answer.status, answer.body.code]).toEqual([400, '2001']);
    expect(answer.body.errors).toEqual([{ path: '/body/name', message: expect.stringMatching(/^contains /) }]);
    expect(await count('SELECT count(*)::int AS n FROM networks')).toBe(before);
  });

  it('then a NUL in a query parameter or in the path is 400 2001, not 500', async () => {
    const headers = { authorization: `Bearer ${token}` };
    const query = await call(`${server.url}/core/v1/cards?holderPhone=%2B225%00`, { headers });
    expect([query.status, query.body.code, query.body.errors?.[0]?.path]).toEqual([400, '2001', '/query/holderPhone']);
    const path = await call(`${server.url}/core/v1/energy-types/GAS%00OIL`, { headers });
    expect([path.status, path.body.code]).toEqual([400, '2001']);
  });

  it('then a percent-encoded byte that is not UTF-8, in a query or a form value, is 400, not read as U+FFFD', async () => {
    const query = await call(`${server.url}/core/v1/cards?holderPhone=%2B225%FF`, { headers: { authorization: `Bearer ${token}` } });
    expect([query.status, query.body.code, query.body.errors?.[0]?.path]).toEqual([400, '2001', '/query/holderPhone']);
    const form = await call(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=ck%FF&client_secret=x',
    });
    expect([form.status, form.body.error]).toEqual([400, 'invalid_client']);
  });
});

describe('when accepted text has several Unicode spellings', () => {
  it('then it is stored NFC, so a decomposed "Réseau" reads back composed', async () => {
    const answer = await call(`${server.url}/core/v1/networks`, json('POST', { code: `NFC-${Date.now()}`, name: 'Re\u0301seau Abidjan' }));
    expect(answer.body.data.name).toBe('R\u00e9seau Abidjan');
    const [row] = await server.database.db.query<{ name: string }>('SELECT name FROM networks WHERE id = $1', [answer.body.data.id]);
    expect(row.name).toBe('R\u00e9seau Abidjan');
  });
});

describe('when OAuth credentials carry a refused character', () => {
  const failures = () => count("SELECT count(*)::int AS n FROM security_events WHERE type = 'auth.failed' AND reason = 'malformed-credentials'");

  it('then a NUL in client_id at /oauth/token is 400 invalid_client and counts as a failed authentication', async () => {
    const before = await failures();
    const answer = await call(`${server.url}/oauth/token`, form({ grant_type: 'client_credentials', client_id: 'ck_\u0000x', client_secret: 'cs_y' }));
    expect([answer.status, answer.body.error, answer.body.code]).toEqual([400, 'invalid_client', '1004']);
    expect(await failures()).toBe(before + 1);
  });

  it('then a NUL inside a Basic credential is 401 invalid_client and counts as a failed authentication', async () => {
    const before = await failures();
    const basic = `Basic ${Buffer.from('ck_abc:cs_\u0000def').toString('base64')}`;
    const answer = await call(`${server.url}/oauth/token`, form({ grant_type: 'client_credentials' }, { authorization: basic }));
    expect([answer.status, answer.body.error]).toEqual([401, 'invalid_client']);
    expect(await failures()).toBe(before + 1);
  });

  it('then a control character in another OAuth parameter is 400 invalid_request', async () => {
    const partner = await server.partner();
    const answer = await call(
      `${server.url}/oauth/token`,
      form({ grant_type: 'client_credentials', client_id: partner.key, client_secret: partner.secret, scope: 'partner:profile.read\u0000' }),
    );
    expect([answer.status, answer.body.error]).toEqual([400, 'invalid_request']);
  });
});

/** The text guard recursed, so arrays 2,000 deep answered 500 (a stack trace logged) before authentication. */
describe('when a JSON body nests deeper than the text guard walks', () => {
  const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;

  it.each([
    ['arrays 33 deep', nested(33)],
    ['arrays 2,000 deep (4 KB)', nested(2000)],
    ['arrays 8,000 deep (16 KB)', nested(8000)],
    ['objects 1,000 deep', `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`],
  ])('then %s are refused 400 2001 before authentication', async (_label, body) => {
    const answer = await call(`${server.url}/core/v1/networks`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect([answer.status, answer.body?.code]).toEqual([400, '2001']);
    expect(answer.body.errors).toEqual([{ path: '/body', message: expect.stringMatching(/nest/) }]);
  });

  it('then 32 levels, the bound, still reach the validator', async () => {
    const answer = await call(`${server.url}/core/v1/networks`, json('POST', { code: 'DEEP-OK', name: 'x', zz: JSON.parse(nested(31)) }));
    expect(answer.body.errors?.some((error: { path: string }) => error.path === '/body')).toBeFalsy();
    expect(answer.status).toBe(400);
  });
});
