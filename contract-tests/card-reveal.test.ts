/**
 * Revealing a card's full number on demand: an operator holding `cards.reveal` over the card
 * who authenticated with several factors (`acr` is the step-up one, or `amr` names `mfa`) within the contract's
 * `x-operator-step-up` age sees it, and the audit trail records the reveal without the
 * number; otherwise 401 code 4186 with the RFC 9470 challenge. Outside its scope the card is
 * unknown (404); an internal application holding `core:cards.reveal` sees it too.
 */
import { operationTable } from '../generated/operations';
import { call } from './support/http';
import { startOidcProvider, type OidcProvider } from './support/oidc-provider';
import { startTestServer, type TestServer } from './support/server';
import { issueCard, newClientWorld, type ClientWorld } from './support/world';

let provider: OidcProvider;
let server: TestServer;
let root: string;
let clientA: ClientWorld;
let cardA: { id: string; number: string };
let cardB: { id: string; number: string };

const MAX_AGE = operationTable.revealCardNumber.operatorStepUp.maxAgeSeconds;
const now = () => Math.floor(Date.now() / 1000);
const reveal = (cardId: string, token: string) =>
  call(`${server.url}/core/v1/cards/${cardId}/reveal`, { method: 'POST', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });

/** A token of `subject` that authenticated `ago` seconds ago with these methods. */
const tokenOf = (subject: string, methods: string[], ago = 10) => provider.token(subject, { claims: { amr: methods, auth_time: now() - ago } });

beforeAll(async () => {
  provider = await startOidcProvider();
  server = await startTestServer({
    config: { oidc: { issuer: provider.issuer, audience: provider.audience, clockSkewSeconds: 5, jwksCooldownSeconds: 0 } },
  });
  root = await server.coreToken();
  const core = server.sdk({ token: root });
  clientA = await newClientWorld(core, 'REVA');
  const clientB = await newClientWorld(core, 'REVB');
  cardA = await issueCard(core, clientA);
  cardB = await issueCard(core, clientB);
  const admin = core.coreOperators;
  for (const [subject, rights] of [
    ['revele', ['cards.reveal', 'cards.read']],
    ['lecteur', ['cards.read']],
  ] as const) {
    const role = (await admin.createOperatorRole({ operatorRoleCreate: { name: `Rôle ${subject}`, rights: [...rights] } })).data;
    const operator = (await admin.createOperator({ operatorCreate: { issuer: provider.issuer, subject, displayName: `Opérateur ${subject}` } })).data;
    await admin.grantOperatorRole({ operatorId: operator.id, operatorGrantCreate: { roleId: role.id, scope: { kind: 'client', id: clientA.clientId } } });
  }
});
afterAll(async () => {
  await server.stop();
  await provider.stop();
});

describe('revealing a card number', () => {
  it('when an operator with cards.reveal authenticated with several factors recently, then it sees the number, and the audit trail names it without the number', async () => {
    const answer = await reveal(cardA.id, await tokenOf('revele', ['pwd', 'otp', 'mfa']));
    expect([answer.status, answer.body.data]).toEqual([200, { cardId: cardA.id, number: cardA.number, maskedNumber: expect.stringMatching(/\*{6}/) }]);
    const events = (await server.sdk({ token: root }).coreAudit.listAuditEvents({ resourceType: 'card', resourceId: cardA.id, action: 'card.revealed' })).data
      .items;
    expect(events.map((event) => [event.actor.subject, event.actor.kind])).toEqual([['revele', 'operator']]);
    expect(JSON.stringify(events)).not.toContain(cardA.number);
  });

  it.each([
    ['a single factor', ['pwd'], 10, /not multi-factor/],
    ['an authentication older than the declared age', ['pwd', 'otp', 'mfa'], MAX_AGE + 60, /authenticated \d+ s ago/],
  ])('when the token shows %s, then it is 401 4186 with the step-up challenge', async (_name, methods, ago, reason) => {
    const answer = await reveal(cardA.id, await tokenOf('revele', methods, ago));
    expect([answer.status, answer.body.code]).toEqual([401, '4186']);
    expect(answer.body.debugMessage).toMatch(reason);
    expect(answer.headers.get('www-authenticate')).toMatch(new RegExp(`^Bearer .*error="insufficient_user_authentication".*max_age=${MAX_AGE}$`));
  });

  it("when the token's acr is the step-up one (OIDC_STEP_UP_ACR's default) without amr, then it sees the number; another acr is not multi-factor", async () => {
    const withAcr = (acr: string) => provider.token('revele', { claims: { acr, amr: ['pwd', 'otp'], auth_time: now() - 10 } });
    const answer = await reveal(cardA.id, await withAcr('http://schemas.openid.net/pape/policies/2007/06/multi-factor'));
    expect([answer.status, answer.body.data.number]).toEqual([200, cardA.number]);
    const refused = await reveal(cardA.id, await withAcr('urn:cynod:acr:password'));
    expect([refused.status, refused.body.code]).toEqual([401, '4186']);
    expect(refused.headers.get('www-authenticate')).toContain('acr_values="http://schemas.openid.net/pape/policies/2007/06/multi-factor"');
  });

  it('when the token carries no auth_time, then it is 401 4186', async () => {
    const answer = await reveal(cardA.id, await provider.token('revele', { claims: { amr: ['mfa'] } }));
    expect([answer.status, answer.body.code]).toEqual([401, '4186']);
  });

  it("when the card is outside the operator's scope, then it is 404 as an unknown card; without the right, 403 4180", async () => {
    const token = await tokenOf('revele', ['mfa']);
    const foreign = await reveal(cardB.id, token);
    const unknown = await reveal('crd_000000000000000000000000', token);
    expect([foreign.status, foreign.body.code, foreign.body.message]).toEqual([404, unknown.body.code, unknown.body.message]);
    const refused = await reveal(cardA.id, await tokenOf('lecteur', ['mfa']));
    expect([refused.status, refused.body.code]).toEqual([403, '4180']);
  });

  it('when an internal application holding core:cards.reveal asks, then it sees the number (applications have no step-up)', async () => {
    const answer = await reveal(cardB.id, root);
    expect([answer.status, answer.body.data.number]).toEqual([200, cardB.number]);
  });
});
