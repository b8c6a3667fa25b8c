/**
 * An optional Idempotency-Key on the creations that lacked one: a webhook endpoint (by the
 * partner or by the issuer for it) and an operator's grant. A retry with the same key replays
 * the first answer (the endpoint's secret too, stored encrypted) and creates nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { readConfig } from '../src/config';
import { startOidcProvider, type OidcProvider } from './support/oidc-provider';
import { startTestServer, type TestServer } from './support/server';

let provider: OidcProvider;
let server: TestServer;
let root: string;
const rootCore = () => server.sdk({ token: root });

beforeAll(async () => {
  provider = await startOidcProvider();
  server = await startTestServer({
    config: {
      oidc: { issuer: provider.issuer, audience: provider.audience, clockSkewSeconds: 5, jwksCooldownSeconds: 0 },
      webhooks: { ...readConfig({}).webhooks, allowLoopbackHttp: true },
    },
  });
  root = await server.coreToken();
});
afterAll(async () => {
  await server.stop();
  await provider.stop();
});

describe('creations retried with their Idempotency-Key', () => {
  it('when a partner or the issuer registers a webhook endpoint twice with one key, then the second answer replays the first, secret included, and one endpoint exists', async () => {
    const partner = await server.partner({ scopes: ['partner:webhooks.manage'] });
    const api = server.sdk({ token: await server.token(partner.key, partner.secret) }).partner;
    const idempotencyKey = randomUUID();
    const request = { idempotencyKey, webhookEndpointCreate: { url: 'http://127.0.0.1:9/keyed' } };
    const first = await api.createPartnerWebhookEndpointRaw(request);
    const again = await api.createPartnerWebhookEndpointRaw(request);
    expect([first.raw.headers.get('idempotent-replayed'), again.raw.headers.get('idempotent-replayed')]).toEqual([null, 'true']);
    expect((await again.value()).data).toEqual((await first.value()).data);

    const issuerRequest = { partnerId: partner.id, idempotencyKey: randomUUID(), webhookEndpointCreate: { url: 'http://127.0.0.1:9/issuer' } };
    const byIssuer = (await rootCore().corePartners.createCoreWebhookEndpoint(issuerRequest)).data;
    expect((await rootCore().corePartners.createCoreWebhookEndpoint(issuerRequest)).data).toEqual(byIssuer);
    expect((await api.listPartnerWebhookEndpoints()).data.items).toHaveLength(2);
  });

  it('when a role is granted twice with one key, then the second answer replays the first and the operator holds one grant', async () => {
    const admin = rootCore().coreOperators;
    const role = (await admin.createOperatorRole({ operatorRoleCreate: { name: 'Rôle rejoué', rights: ['cards.read'] } })).data;
    const operator = (await admin.createOperator({ operatorCreate: { issuer: provider.issuer, subject: 'rejoue', displayName: 'Opérateur rejoué' } })).data;
    const request = {
      operatorId: operator.id,
      idempotencyKey: randomUUID(),
      operatorGrantCreate: { roleId: role.id, scope: { kind: 'issuer' as const, id: null } },
    };
    const first = (await admin.grantOperatorRole(request)).data;
    const again = await admin.grantOperatorRoleRaw(request);
    expect(again.raw.headers.get('idempotent-replayed')).toBe('true');
    expect((await again.value()).data).toEqual(first);
    expect(first.grants).toHaveLength(1);
    expect((await admin.getOperator({ operatorId: operator.id })).data.grants).toHaveLength(1);
  });
});
