/**
 * Operators: people of the back office calling the Core API with an OpenID Connect provider's
 * access token (a JWT), beside the partners' opaque tokens. The provider is a stand-in started
 * by the test (support/oidc-provider.ts); the tokens are checked for signature, issuer,
 * audience, expiry and not-before, and the operator's rights per action and scope of
 * authority are enforced.
 */
import { randomUUID } from 'node:crypto';
import { OrderType } from '../generated/sdk';
import { call, failure } from './support/http';
import { startOidcProvider, type OidcProvider } from './support/oidc-provider';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, issueCard, newClientWorld, xof, type ClientWorld } from './support/world';

let provider: OidcProvider;
let server: TestServer;
let root: string;
let clientA: ClientWorld;
let clientB: ClientWorld;
let cardA: string;
let cardB: string;

const core = (token: string) => server.sdk({ token });
const rootCore = () => core(root);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Creates a role with these rights, and an operator holding it over the scope. */
async function operatorWith(subject: string, rights: string[], scope: { kind: 'issuer' | 'network' | 'client' | 'service-point'; id: string | null }) {
  const admin = rootCore().coreOperators;
  const role = (await admin.createOperatorRole({ operatorRoleCreate: { name: `Rôle ${subject}`, rights } })).data;
  const operator = (await admin.createOperator({ operatorCreate: { issuer: provider.issuer, subject, displayName: `Opérateur ${subject}` } })).data;
  await admin.grantOperatorRole({ operatorId: operator.id, operatorGrantCreate: { roleId: role.id, scope } });
  return operator;
}

beforeAll(async () => {
  provider = await startOidcProvider();
  server = await startTestServer({
    config: { oidc: { issuer: provider.issuer, audience: provider.audience, clockSkewSeconds: 5, jwksCooldownSeconds: 0 } },
  });
  root = await server.coreToken();
  clientA = await newClientWorld(rootCore(), 'OPA');
  clientB = await newClientWorld(rootCore(), 'OPB');
  cardA = (await issueCard(rootCore(), clientA)).id;
  cardB = (await issueCard(rootCore(), clientB)).id;
  await operatorWith('awa', ['cards.read', 'cards.lifecycle'], { kind: 'client', id: clientA.clientId });
  await operatorWith('issa', ['cards.read', 'operators.manage', 'operators.read'], { kind: 'issuer', id: null });
});
checkLedgerAfterEach(() => server.database.db);
afterAll(async () => {
  await server.stop();
  await provider.stop();
});

describe('operator tokens', () => {
  it('when an enrolled operator presents a valid token, then the Core operation answers 200', async () => {
    const answer = await call(`${server.url}/core/v1/cards/${cardA}`, { headers: bearer(await provider.token('awa')) });
    expect([answer.status, answer.body.data.id]).toEqual([200, cardA]);
  });

  it.each([
    ['another issuer', '1002', { iss: 'https://other.example' }],
    ['another audience', '1002', { aud: 'another-api' }],
    ['an expiry past (beyond the clock skew)', '1003', { exp: Math.floor(Date.now() / 1000) - 60 }],
    ['a not-before in the future (beyond the clock skew)', '1002', { nbf: Math.floor(Date.now() / 1000) + 120 }],
  ])('when the token has %s, then it is 401 with code %s and a Bearer challenge', async (_name, code, claims) => {
    const answer = await call(`${server.url}/core/v1/cards/${cardA}`, { headers: bearer(await provider.token('awa', { claims })) });
    expect([answer.status, answer.body.success, answer.body.code]).toEqual([401, false, code]);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it('when the token is signed by a key the provider does not publish, then it is 401 1002', async () => {
    const forged = await provider.token('awa', { key: await provider.forgedKey() });
    const answer = await call(`${server.url}/core/v1/cards/${cardA}`, { headers: bearer(forged) });
    expect([answer.status, answer.body.code]).toEqual([401, '1002']);
  });

  it('when a signature is tampered with, then it is 401 1002', async () => {
    const token = await provider.token('awa');
    const tampered = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const answer = await call(`${server.url}/core/v1/cards/${cardA}`, { headers: bearer(tampered) });
    expect([answer.status, answer.body.code]).toEqual([401, '1002']);
  });

  it('when the provider rotates its key, then a token with the new key id is accepted (the key set is fetched again)', async () => {
    const before = provider.jwksFetches();
    await provider.rotate();
    const answer = await call(`${server.url}/core/v1/cards/${cardA}`, { headers: bearer(await provider.token('awa')) });
    expect(answer.status).toBe(200);
    expect(provider.jwksFetches()).toBeGreaterThan(before);
  });

  it('when the token names a subject not enrolled, then it is 403 4182', async () => {
    const answer = await call(`${server.url}/core/v1/cards/${cardA}`, { headers: bearer(await provider.token('stranger')) });
    expect([answer.status, answer.body.code]).toEqual([403, '4182']);
  });

  it('when an operator token is presented to the 3rd Party API, then it is refused as a partner token (401 1002)', async () => {
    const answer = await call(`${server.url}/partner/v1/me`, { headers: bearer(await provider.token('awa')) });
    expect([answer.status, answer.body.code]).toEqual([401, '1002']);
  });

  it('when partner tokens are used beside operator tokens, then they work as before', async () => {
    const answer = await call(`${server.url}/core/v1/cards/${cardB}`, { headers: bearer(root) });
    expect(answer.status).toBe(200);
  });

  it('when the server has no provider configured, then operator tokens are refused (401 1002)', async () => {
    const plain = await startTestServer({ database: server.database });
    try {
      const answer = await call(`${plain.url}/core/v1/cards/${cardA}`, { headers: bearer(await provider.token('awa')) });
      expect([answer.status, answer.body.code]).toEqual([401, '1002']);
    } finally {
      await plain.stop();
    }
  });
});

describe('rights per action and scope of authority', () => {
  it("when an operator scoped to client A reads client B's card, then it is 404 3008 as if it did not exist", async () => {
    const answer = await call(`${server.url}/core/v1/cards/${cardB}`, { headers: bearer(await provider.token('awa')) });
    expect([answer.status, answer.body.success, answer.body.code]).toEqual([404, false, '3008']);
    expect(answer.body.requestId).toEqual(expect.any(String));
    expect(answer.body.debugMessage).toBe(`No card ${cardB}`);
  });

  it("when an operator scoped to client A suspends client B's card, then it is 404 and the card is unchanged", async () => {
    const refused = await failure(
      core(await provider.token('awa')).coreCards.suspendCard({ cardId: cardB, cardTransitionRequest: { reason: 'Essai hors périmètre' } }),
    );
    expect([refused.status, refused.body.code]).toEqual([404, '3008']);
    expect((await rootCore().coreCards.getCard({ cardId: cardB })).data.status).toBe('active');
  });

  it('when an operator lacks the right, then it is 403 4180 with the envelope', async () => {
    const answer = await call(`${server.url}/core/v1/networks`, { headers: bearer(await provider.token('awa')) });
    expect([answer.status, answer.body.success, answer.body.code]).toEqual([403, false, '4180']);
  });

  it("when an operator holds the right over a client only and lists cards, then the list holds that client's cards only", async () => {
    const answer = await call(`${server.url}/core/v1/cards?limit=100`, { headers: bearer(await provider.token('awa')) });
    expect([answer.status, answer.body.data.items.map((card: { id: string }) => card.id)]).toEqual([200, [cardA]]);
  });

  it('when an operator holds the right over a client only and the operation names no resource and keeps no list within a scope (a creation), then it is 403 4181', async () => {
    await operatorWith('kadi', ['cards.issue'], { kind: 'client', id: clientA.clientId });
    const creation = await failure(
      core(await provider.token('kadi')).coreCards.issueCard({
        cardIssue: { clientId: clientA.clientId, profileId: clientA.profileId, holder: { name: 'Awa Traoré', phone: '+2250101010101' } },
      }),
    );
    expect([creation.status, creation.body.code]).toEqual([403, '4181']);
  });

  it('when an operator holding the right over the issuer reads any card, then it is 200', async () => {
    const issa = await provider.token('issa');
    expect((await core(issa).coreCards.getCard({ cardId: cardB })).data.id).toBe(cardB);
    expect((await core(issa).coreCards.listCards({})).data.items.length).toBeGreaterThanOrEqual(2);
  });

  it('when an operator acts, then the audit trail names it (its id, display name and subject) where an application shows as a partner', async () => {
    await core(await provider.token('awa')).coreCards.suspendCard({ cardId: cardA, cardTransitionRequest: { reason: 'Perte signalée' } });
    const events = (await rootCore().coreAudit.listAuditEvents({ resourceType: 'card', resourceId: cardA })).data.items;
    const awa = (await rootCore().coreOperators.listOperators({})).data.items.find((operator) => operator.subject === 'awa');
    expect(events.at(-1)?.actor).toEqual({ id: awa?.id, name: 'Opérateur awa', kind: 'operator', subject: 'awa' });
    expect([events[0].actor.kind, events[0].actor.subject ?? null]).toEqual(['partner', null]);
  });
});

describe('managing operators', () => {
  it('when an operator holding operators.manage enrols another and grants it a role, then the new operator acts with it, and both changes are audited by name', async () => {
    const issa = core(await provider.token('issa')).coreOperators;
    const role = (await rootCore().coreOperators.createOperatorRole({ operatorRoleCreate: { name: 'Lecture réseau', rights: ['cards.read'] } })).data;
    const moussa = (await issa.createOperator({ operatorCreate: { issuer: provider.issuer, subject: 'moussa', displayName: 'Moussa Koné' } })).data;
    const granted = (
      await issa.grantOperatorRole({ operatorId: moussa.id, operatorGrantCreate: { roleId: role.id, scope: { kind: 'network', id: clientB.networkId } } })
    ).data;
    expect(granted.grants).toEqual([expect.objectContaining({ roleId: role.id, rights: ['cards.read'], scope: { kind: 'network', id: clientB.networkId } })]);
    const moussaToken = await provider.token('moussa');
    expect((await core(moussaToken).coreCards.getCard({ cardId: cardB })).data.id).toBe(cardB);
    expect((await failure(core(moussaToken).coreCards.getCard({ cardId: cardA }))).status).toBe(404);
    const audit = (await rootCore().coreAudit.listAuditEvents({ resourceType: 'operator', resourceId: moussa.id })).data.items;
    expect(audit.map((event) => [event.action, event.actor.name])).toEqual([
      ['operator.created', 'Opérateur issa'],
      ['operator.role-granted', 'Opérateur issa'],
    ]);
  });

  it('when a grant is revoked or the operator disabled, then its next call is refused', async () => {
    const admin = rootCore().coreOperators;
    const role = (await admin.createOperatorRole({ operatorRoleCreate: { name: 'Lecture cartes', rights: ['cards.read'] } })).data;
    const fatou = (await admin.createOperator({ operatorCreate: { issuer: provider.issuer, subject: 'fatou', displayName: 'Fatou Diallo' } })).data;
    const grant = (await admin.grantOperatorRole({ operatorId: fatou.id, operatorGrantCreate: { roleId: role.id, scope: { kind: 'issuer', id: null } } })).data
      .grants[0];
    const url = `${server.url}/core/v1/cards/${cardA}`;
    expect((await call(url, { headers: bearer(await provider.token('fatou')) })).status).toBe(200);
    await admin.revokeOperatorGrant({ operatorId: fatou.id, grantId: grant.id });
    expect((await call(url, { headers: bearer(await provider.token('fatou')) })).body.code).toBe('4180');
    await admin.grantOperatorRole({ operatorId: fatou.id, operatorGrantCreate: { roleId: role.id, scope: { kind: 'issuer', id: null } } });
    await admin.updateOperator({ operatorId: fatou.id, operatorUpdate: { status: 'disabled' } });
    expect((await call(url, { headers: bearer(await provider.token('fatou')) })).body.code).toBe('4182');
  });

  it('when a role names a right the contract does not define, then it is 400 2001 naming it', async () => {
    const refused = await failure(
      rootCore().coreOperators.createOperatorRole({ operatorRoleCreate: { name: 'Inconnu', rights: ['cards.read', 'cards.fly'] } }),
    );
    expect([refused.status, refused.body.code, refused.body.errors]).toEqual([
      400,
      '2001',
      [{ path: '/body/rights/1', message: expect.stringContaining('cards.fly') }],
    ]);
  });

  it('when the same person is enrolled twice, then it is 409 4183; a grant over a client that does not exist is 404 with its code', async () => {
    const admin = rootCore().coreOperators;
    const again = await failure(admin.createOperator({ operatorCreate: { issuer: provider.issuer, subject: 'awa', displayName: 'Awa bis' } }));
    expect([again.status, again.body.code]).toEqual([409, '4183']);
    const role = (await admin.listOperatorRoles({})).data.items[0];
    const awa = (await admin.listOperators({})).data.items.find((operator) => operator.subject === 'awa');
    const missing = await failure(
      admin.grantOperatorRole({
        operatorId: awa?.id ?? '',
        operatorGrantCreate: { roleId: role.id, scope: { kind: 'client', id: 'cli_000000000000000000000000' } },
      }),
    );
    expect([missing.status, missing.body.code]).toEqual([404, '3003']);
  });

  it('when an operator without operators.manage tries to enrol someone, then it is 403 4180', async () => {
    const refused = await failure(
      core(await provider.token('awa')).coreOperators.createOperator({ operatorCreate: { issuer: provider.issuer, subject: 'x', displayName: 'X' } }),
    );
    expect([refused.status, refused.body.code]).toEqual([403, '4180']);
  });
});

describe('maker-checker by persons', () => {
  it('when an operator validates the voucher it entered, then it is 403 4041; another person validates it, and each step names its operator', async () => {
    const rights = ['orders.enter', 'orders.validate', 'orders.execute'];
    await operatorWith('maker', rights, { kind: 'issuer', id: null });
    await operatorWith('checker', rights, { kind: 'issuer', id: null });
    const maker = core(await provider.token('maker')).coreLedger;
    const checker = core(await provider.token('checker')).coreLedger;
    const order = (
      await maker.createOrder({
        idempotencyKey: randomUUID(),
        orderCreate: { type: OrderType.Recharge, lines: [{ cardId: cardB, amount: xof(15000) }], reason: 'Dotation par opérateur' },
      })
    ).data;
    const refused = await failure(maker.validateOrder({ orderId: order.id }));
    expect([refused.status, refused.body.code]).toEqual([403, '4041']);
    await checker.validateOrder({ orderId: order.id });
    // Executing demands a recent multi-factor login (x-operator-step-up): the default step-up acr here.
    const singleFactor = await failure(maker.executeOrder({ idempotencyKey: randomUUID(), orderId: order.id }));
    expect([singleFactor.status, singleFactor.body.code]).toEqual([401, '4186']);
    const stepUp = await provider.token('maker', {
      claims: { acr: 'http://schemas.openid.net/pape/policies/2007/06/multi-factor', auth_time: Math.floor(Date.now() / 1000) },
    });
    const executed = (await core(stepUp).coreLedger.executeOrder({ idempotencyKey: randomUUID(), orderId: order.id })).data;
    expect(executed.status).toBe('executed');
    expect(executed.steps.map((step) => [step.step, step.actor.name])).toEqual([
      ['entered', 'Opérateur maker'],
      ['validated', 'Opérateur checker'],
      ['executed', 'Opérateur maker'],
    ]);
  });
});
