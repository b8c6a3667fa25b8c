/**
 * Two partners with the same client name, the same holder name and cards of their own never
 * see each other's data: every operation of the 3rd Party API, called by one partner with
 * each id of the other (in its path, its query or its body), answers exactly as it does for
 * an unknown id (404, the same body; a list filtered by the id, its empty page), and no
 * answer to the one carries anything of the
 * other's. The sweep reads the operations from the contract, so a new partner operation is
 * covered the day it is added (and fails here if it takes an id this test does not know).
 */
import { randomUUID } from 'node:crypto';
import { oauthScopes, operationTable } from '../generated/operations';
import { readConfig } from '../src/config';
import { CardService } from '../generated/sdk';
import { document, resolve, type Json } from './support/contract';
import { call, type Answer } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { fundFloat, issueCard, newCardProfile, newClient, newEnergyType, newNetwork, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
const sdk = () => server.sdk({ token });
const PARTNER_SCOPES = Object.keys(oauthScopes).filter((scope) => scope.startsWith('partner:'));

/** The ids a partner operation may take, by parameter or body field name. */
type Ids = Record<'cardId' | 'cardNumber' | 'operationId' | 'authorizationId' | 'servicePointId' | 'endpointId', string>;
const UNKNOWN: Ids = {
  cardId: 'crd_000000000000000000000000',
  cardNumber: '7070700000000005',
  operationId: 'op_000000000000000000000000',
  authorizationId: 'hld_000000000000000000000000',
  servicePointId: 'spt_000000000000000000000000',
  endpointId: 'whe_000000000000000000000000',
};
const ALIASES: Record<string, keyof Ids> = { numeroCarte: 'cardNumber' };
const idName = (name: string): keyof Ids | undefined => (name in UNKNOWN ? (name as keyof Ids) : ALIASES[name]);

interface Side {
  name: string;
  partnerId: string;
  token: string;
  ids: Ids;
  externalReference: string;
}
let a: Side;
let b: Side;
let networkId: string;
let profileId: string;

async function side(name: string, code: string): Promise<Side> {
  const partner = await server.partner({ name, scopes: PARTNER_SCOPES });
  await sdk().corePartners.updatePartner({ partnerId: partner.id, partnerUpdate: { legacyBalanceAllowed: true } }); // the seed's balance enquiry too
  const clientId = await newClient(sdk(), networkId, code, 'Transports Ivoiriens');
  const card = await issueCard(sdk(), { clientId, profileId });
  const servicePointId = (await newStation(sdk(), networkId, `STATION-${code}`)).id;
  await sdk().corePartners.createPartnerContract({ partnerId: partner.id, partnerContractCreate: { clientId } });
  await sdk().corePartners.createPartnerContract({ partnerId: partner.id, partnerContractCreate: { servicePointId } });
  await fundFloat(sdk(), partner.id, 1_000_000, `VIR-${code}`);
  const partnerToken = await server.token(partner.key, partner.secret);
  const externalReference = `REF-${code}`;
  const recharge = (
    await server.sdk({ token: partnerToken }).partner.createPartnerRecharge({
      idempotencyKey: randomUUID(),
      partnerRechargeCreate: { cardId: card.id, amount: xof(100000), externalReference },
    })
  ).data;
  const hold = (
    await sdk().coreLedger.createAuthorization({
      idempotencyKey: randomUUID(),
      authorizationCreate: { cardId: card.id, servicePointId, amount: xof(10000), service: CardService.Fuel },
    })
  ).data;
  // Nothing listens there, and the test server runs no dispatcher: the endpoint is only an id.
  const endpoint = (
    await server.sdk({ token: partnerToken }).partner.createPartnerWebhookEndpoint({ webhookEndpointCreate: { url: `http://127.0.0.1:9/${code}` } })
  ).data;
  return {
    name,
    partnerId: partner.id,
    token: partnerToken,
    externalReference,
    ids: { cardId: card.id, cardNumber: card.number, operationId: recharge.id, authorizationId: hold.id, servicePointId, endpointId: endpoint.id },
  };
}

beforeAll(async () => {
  // A sandbox: it serves every partner operation production serves, and the simulations (a live server answers those 4222 whatever the ids).
  server = await startTestServer({ config: { mode: 'sandbox', webhooks: { ...readConfig({}).webhooks, allowLoopbackHttp: true } } });
  token = await server.coreToken();
  networkId = await newNetwork(sdk(), 'RES-ISO');
  profileId = await newCardProfile(sdk(), 'ISO', { validityMonths: 24, monthlyOfflineCap: xof(0) });
  await newEnergyType(sdk(), 'GASOIL');
  a = await side('Orange Money', 'ISO-A');
  b = await side('Wave', 'ISO-B');
});
afterAll(() => server.stop());

/** The contract's partner operations. */
const partnerOperations = Object.values(operationTable).filter(
  (operation) => operation.path.startsWith('/partner/') || (operation.path as string) === '/get-solde-carte',
);

/** The partner operations that take no id: the sweep checks only that they reveal nothing. */
const WITHOUT_IDS = [
  'getPartnerMe',
  'getPartnerFloat',
  'listPartnerOperations',
  'getPartnerDailyStatement',
  'listPartnerUnits',
  'getPartnerUnit',
  'listPartnerWebhookEndpoints',
  'createPartnerWebhookEndpoint',
  'getSandboxClock',
  'advanceSandboxClock', // moves the asking partner's own world only (a client shared with another partner is 4223)
];

/** A body's ids replaced by `ids`, its references made fresh. */
function withIds(value: unknown, ids: Ids, used: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => withIds(item, ids, used));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const id = idName(key);
      if (id) {
        used.add(key);
        return [key, ids[id]];
      }
      if (key === 'externalReference' || key === 'receiptNumber' || key === 'terminalTransactionId') return [key, randomUUID()];
      return [key, withIds(item, ids, used)];
    }),
  );
}

/** The request an operation's contract example makes, with `ids` wherever it takes one; `used` names them. */
function requestOf(operationId: string, ids: Ids): { url: string; init: RequestInit; used: string[] } {
  const operation = operationTable[operationId as keyof typeof operationTable];
  const spec = document.paths[operation.path][operation.method] as Json;
  const used = new Set<string>();
  let path: string = operation.path;
  const query = new URLSearchParams();
  for (const parameter of ((spec.parameters ?? []) as Json[]).map(resolve)) {
    const id = idName(parameter.name);
    if (parameter.in === 'path') {
      if (parameter.name === 'day') path = path.replace('{day}', new Date().toISOString().slice(0, 10));
      // Units are the issuer's referential, the same for every partner: not an id a partner owns.
      else if (parameter.name === 'unitCode') path = path.replace('{unitCode}', 'XOF');
      else if (id) path = path.replace(`{${parameter.name}}`, ids[id]);
      else throw new Error(`${operationId}: path parameter ${parameter.name} is not an id this test knows; add it to Ids`);
      if (id) used.add(parameter.name);
    } else if (parameter.in === 'query') {
      if (id) {
        query.set(parameter.name, ids[id]);
        used.add(parameter.name);
      } else if (parameter.required) {
        const example = parameter.example ?? resolve(parameter.schema).example;
        if (example === undefined) throw new Error(`${operationId}: required query parameter ${parameter.name} has no example`);
        query.set(parameter.name, String(example));
      }
    }
  }
  const example = Object.values((spec.requestBody?.content?.['application/json']?.examples ?? {}) as Json)[0]?.value;
  const body = example === undefined ? undefined : JSON.stringify(withIds(example, ids, used));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (operation.headers.includes('Idempotency-Key' as never)) headers['idempotency-key'] = randomUUID();
  const search = query.size > 0 ? `?${query}` : '';
  return { url: `${server.url}${path}${search}`, init: { method: operation.method.toUpperCase(), headers, body }, used: [...used] };
}

const send = (request: { url: string; init: RequestInit }, side: Side): Promise<Answer> =>
  call(request.url, { ...request.init, headers: { ...(request.init.headers as Record<string, string>), authorization: `Bearer ${side.token}` } });

/** What of `other` must never appear in an answer to `to`. */
const markers = (other: Side) => [other.partnerId, other.externalReference, ...Object.values(other.ids)];

/** An answer with the caller's own ids put back as the unknown ones, and without its request id. */
function normalised(answer: Answer, ids: Ids): unknown {
  let text = answer.text;
  for (const key of Object.keys(ids) as (keyof Ids)[]) text = text.split(ids[key]).join(UNKNOWN[key]);
  const body = JSON.parse(text) as Json;
  return { status: answer.status, ...body, requestId: undefined };
}

describe('partner isolation', () => {
  it('covers every partner operation of the contract, and knows which take no id', () => {
    const without = partnerOperations
      .filter((operation) => requestOf(operation.operationId, b.ids).used.length === 0)
      .map((operation) => operation.operationId);
    expect(without.sort()).toEqual([...WITHOUT_IDS].sort());
  });

  it.each(partnerOperations.map((operation) => [operation.operationId]))(
    "%s: with the other partner's ids, it answers as for unknown ones and reveals nothing",
    async (operationId) => {
      const foreign = requestOf(operationId, b.ids);
      const answer = await send(foreign, a);
      for (const marker of markers(b).filter((value) => !foreign.used.some((key) => b.ids[idName(key) as keyof Ids] === value))) {
        expect(answer.text).not.toContain(marker);
      }
      if (foreign.used.length === 0) {
        expect(answer.status).toBeLessThan(500);
        return;
      }
      const unknown = await send(requestOf(operationId, UNKNOWN), a);
      expect(normalised(answer, b.ids)).toEqual(normalised(unknown, UNKNOWN));
      // An id is 404; a list filtered by an id is the empty list an unknown id gives.
      if (answer.status === 200) expect([foreign.init.method, answer.body.data.items]).toEqual(['GET', []]);
      else expect(answer.status).toBe(404);
    },
  );

  it("when each partner reads its own lists, then none carries the other's ids or references", async () => {
    for (const [reader, other] of [
      [a, b],
      [b, a],
    ] as const) {
      for (const operation of partnerOperations.filter((item) => item.method === 'get' && !item.path.includes('{'))) {
        const answer = await send(requestOf(operation.operationId, reader.ids), reader);
        for (const marker of markers(other)) expect(answer.text).not.toContain(marker);
      }
    }
  });

  it("when a station pays and authorises at its own service point with the other partner's client's card, then no answer carries the card's id, balance or anything of the other; a blocked card and a short balance answer as an unknown number", async () => {
    const station = server.sdk({ token: a.token }).partner;
    const foreignMarkers = markers(b).filter((marker) => marker !== b.ids.cardNumber);
    const texts: string[] = [];
    const hold = await station.createPartnerAuthorizationRaw({
      idempotencyKey: randomUUID(),
      partnerAuthorizationCreate: { cardNumber: b.ids.cardNumber, servicePointId: a.ids.servicePointId, amount: xof(5000), service: CardService.Fuel },
    });
    const held = (await hold.value()).data;
    texts.push(JSON.stringify(held), JSON.stringify((await station.getPartnerAuthorization({ authorizationId: held.id })).data));
    texts.push(JSON.stringify((await station.voidPartnerAuthorization({ authorizationId: held.id, idempotencyKey: randomUUID() })).data));
    const paid = await station.createPartnerPayment({
      idempotencyKey: randomUUID(),
      partnerPaymentCreate: {
        cardNumber: b.ids.cardNumber,
        servicePointId: a.ids.servicePointId,
        amount: xof(700),
        service: CardService.Fuel,
        fuel: { energyTypeCode: 'GASOIL', quantityMl: 1000, unitPrice: xof(700) },
        receiptNumber: randomUUID(),
        externalReference: randomUUID(),
      },
    });
    for (const text of texts) {
      for (const marker of foreignMarkers) expect(text).not.toContain(marker);
      expect(text).not.toMatch(/"limitedBy":"balance"|"vehicleId"/u);
    }
    // the payment is the station's own operation, on the card it names (as GET /partner/v1/operations/{id} reads it): nothing else of the other
    for (const marker of foreignMarkers.filter((value) => value !== b.ids.cardId)) expect(JSON.stringify(paid.data)).not.toContain(marker);
    const refusal = async (cardNumber: string, value: number) => {
      const request = {
        url: `${server.url}/partner/v1/authorizations`,
        init: {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({ cardNumber, servicePointId: a.ids.servicePointId, amount: xof(value), service: 'fuel' }),
        },
      };
      return normalised(await send(request, a), a.ids);
    };
    const unknown = await refusal(UNKNOWN.cardNumber, 5000);
    expect(unknown).toMatchObject({ status: 409, code: '4090' });
    expect(await refusal(b.ids.cardNumber, 10_000_000)).toEqual(unknown); // more than its balance
    await sdk().coreCards.suspendCard({ cardId: b.ids.cardId, cardTransitionRequest: { reason: 'contrôle' } });
    try {
      expect(await refusal(b.ids.cardNumber, 5000)).toEqual(unknown);
    } finally {
      await sdk().coreCards.reactivateCard({ cardId: b.ids.cardId, cardTransitionRequest: { reason: 'fin du contrôle' } });
    }
  });
});
