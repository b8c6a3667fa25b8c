/**
 * A fleet manager of client company A (an operator holding every right of the contract, over
 * client A only) never sees anything of client B, a client of the same network with the same
 * name, holder and driver: every Core operation, called with each id of B (in its path, its
 * query or its body), answers exactly as it does for an unknown id (404 with the same body, a
 * list filtered by the id its empty page, or the refusal of an operation that needs the whole
 * issuer, 4181), and no answer carries anything of B's. The sweep reads the operations from the
 * contract, so a new Core operation is covered the day it is added (and fails here if its path
 * takes an id this test does not know).
 */
import { randomUUID } from 'node:crypto';
import { operationTable, operatorRights } from '../generated/operations';
import { CardService } from '../generated/sdk';
import { document, resolve, type Json } from './support/contract';
import { call, type Answer } from './support/http';
import { startOidcProvider, type OidcProvider } from './support/oidc-provider';
import { startTestServer, type TestServer } from './support/server';
import { credit, issueCard, newCardProfile, newClient, newEnergyType, newNetwork, newStation, xof } from './support/world';

let provider: OidcProvider;
let server: TestServer;
let root: string;
const core = () => server.sdk({ token: root });

/** The ids of what a client company has, by parameter or body field name. */
type Ids = Record<'clientId' | 'cardId' | 'cardNumber' | 'vehicleId' | 'driverId' | 'operationId' | 'authorizationId' | 'servicePointId', string>;
const UNKNOWN: Ids = {
  clientId: 'cli_000000000000000000000000',
  cardId: 'crd_000000000000000000000000',
  cardNumber: '7070700000000005',
  vehicleId: 'veh_000000000000000000000000',
  driverId: 'drv_000000000000000000000000',
  operationId: 'op_000000000000000000000000',
  authorizationId: 'hld_000000000000000000000000',
  servicePointId: 'spt_000000000000000000000000',
};
const idName = (name: string): keyof Ids | undefined => (name in UNKNOWN ? (name as keyof Ids) : undefined);

/**
 * Path parameters that name nothing a client company has (the network both clients belong to,
 * the issuer's referential, partners, operators, vouchers): the same value with B's ids and
 * with unknown ones.
 */
const SHARED: Record<string, string> = {
  networkId: 'net_000000000000000000000000',
  unitCode: 'XOF',
  energyTypeCode: 'GASOIL',
  fuelTicketCode: 'TICKET-5000',
  profileId: 'prf_000000000000000000000000',
  partnerId: 'ptn_000000000000000000000000',
  contractId: 'ctr_000000000000000000000000',
  endpointId: 'whe_000000000000000000000000',
  operatorId: 'opr_000000000000000000000000',
  grantId: 'grt_000000000000000000000000',
  orderId: 'ord_000000000000000000000000',
  day: '2026-12-01',
};

interface Side {
  ids: Ids;
  /** What of the side is its own, besides its ids: never in an answer to the other side's manager. */
  registration: string;
}
let a: Side;
let b: Side;
let manager: string;

async function side(networkId: string, profileId: string, code: string): Promise<Side> {
  const clientId = await newClient(core(), networkId, code, 'Transports Ivoiriens');
  const card = await issueCard(core(), { clientId, profileId });
  await credit(core(), card.id, 100000);
  const servicePointId = (await newStation(core(), networkId, `STATION-${code}`)).id;
  const registration = `${code} AB 01`;
  const vehicle = (await core().coreFleet.createVehicle({ vehicleCreate: { clientId, registration, tankCapacityMl: 300000 } })).data;
  const driver = (await core().coreFleet.createDriver({ driverCreate: { clientId, name: 'Moussa Koné', phone: '+2250707070707', driverCode: '482915' } })).data;
  const pay = (value: number) =>
    core().coreLedger.createPaymentRaw({
      idempotencyKey: randomUUID(),
      paymentCreate: {
        cardId: card.id,
        servicePointId,
        amount: xof(value),
        service: CardService.Fuel,
        receiptNumber: randomUUID(),
        fuel: { energyTypeCode: 'GASOIL', quantityMl: (value / 700) * 1000, unitPrice: xof(700) },
      },
    });
  const payment = (await (await pay(7000)).value()).data; // above the profile's soft limit: an exception
  await pay(140000).catch(() => undefined); // more than the balance: a decline
  const hold = (
    await core().coreLedger.createAuthorization({
      idempotencyKey: randomUUID(),
      authorizationCreate: { cardId: card.id, servicePointId, amount: xof(700), service: CardService.Fuel },
    })
  ).data;
  return {
    registration,
    ids: {
      clientId,
      cardId: card.id,
      cardNumber: card.number,
      vehicleId: vehicle.id,
      driverId: driver.id,
      operationId: payment.id,
      authorizationId: hold.id,
      servicePointId,
    },
  };
}

beforeAll(async () => {
  provider = await startOidcProvider();
  server = await startTestServer({
    config: { oidc: { issuer: provider.issuer, audience: provider.audience, clockSkewSeconds: 5, jwksCooldownSeconds: 0 } },
  });
  root = await server.coreToken();
  const networkId = await newNetwork(core(), 'RES-OPISO');
  const profileId = await newCardProfile(core(), 'OPISO');
  await core().coreCards.replaceCardProfileControls({
    profileId,
    spendingControls: { amount: { limits: [{ perTransaction: xof(1000) }], mode: 'soft' } },
  });
  await newEnergyType(core(), 'GASOIL', 700);
  a = await side(networkId, profileId, 'OPISO-A');
  b = await side(networkId, profileId, 'OPISO-B');
  const admin = core().coreOperators;
  const role = (await admin.createOperatorRole({ operatorRoleCreate: { name: 'Gestionnaire de flotte, tous droits', rights: Object.keys(operatorRights) } }))
    .data;
  const operator = (await admin.createOperator({ operatorCreate: { issuer: provider.issuer, subject: 'gestionnaire-a', displayName: 'Gestionnaire A' } })).data;
  await admin.grantOperatorRole({ operatorId: operator.id, operatorGrantCreate: { roleId: role.id, scope: { kind: 'client', id: a.ids.clientId } } });
  manager = await provider.token('gestionnaire-a', { claims: { exp: Math.floor(Date.now() / 1000) + 3600 } });
});
afterAll(async () => {
  await server.stop();
  await provider.stop();
});

/** The contract's Core operations. */
const coreOperations = Object.values(operationTable).filter((operation) => operation.operatorRight !== null);

/** A body's ids replaced by `ids`, its references made fresh. */
function withIds(value: unknown, ids: Ids, used: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => withIds(item, ids, used));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const id = idName(key);
      if (id && typeof item === 'string') {
        used.add(key);
        return [key, ids[id]];
      }
      if (key === 'externalReference' || key === 'receiptNumber' || key === 'reference') return [key, randomUUID()];
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
      if (id) {
        path = path.replace(`{${parameter.name}}`, ids[id]);
        used.add(parameter.name);
      } else if (parameter.name in SHARED) path = path.replace(`{${parameter.name}}`, SHARED[parameter.name]);
      else throw new Error(`${operationId}: path parameter ${parameter.name} is not an id this test knows; add it to Ids or SHARED`);
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

/** The operation's required query parameters with their contract examples (a period), and no filter: `?from=…&to=…`, or nothing. */
function requiredQuery(operationId: string): string {
  const operation = operationTable[operationId as keyof typeof operationTable];
  const spec = document.paths[operation.path][operation.method] as Json;
  const query = new URLSearchParams();
  for (const parameter of ((spec.parameters ?? []) as Json[]).map(resolve))
    if (parameter.in === 'query' && parameter.required) query.set(parameter.name, String(parameter.example ?? resolve(parameter.schema).example));
  return query.size > 0 ? `?${query}` : '';
}

const send = (request: { url: string; init: RequestInit }): Promise<Answer> =>
  call(request.url, { ...request.init, headers: { ...(request.init.headers as Record<string, string>), authorization: `Bearer ${manager}` } });

/** What of `other` must never appear in an answer to the other client's manager. */
const markers = (other: Side) => [other.registration, ...Object.values(other.ids)];

/** An answer with the ids given put back as the unknown ones, and without its request id. */
function normalised(answer: Answer, ids: Ids): unknown {
  let text = answer.text;
  for (const key of Object.keys(ids) as (keyof Ids)[]) text = text.split(ids[key]).join(UNKNOWN[key]);
  const body = JSON.parse(text) as Json;
  return { status: answer.status, ...body, requestId: undefined };
}

describe('operator isolation: a fleet manager of one client', () => {
  it('covers every Core operation of the contract', () => {
    expect(coreOperations.length).toBeGreaterThan(100);
    for (const operation of coreOperations) expect(() => requestOf(operation.operationId, b.ids)).not.toThrow();
  });

  it.each(coreOperations.map((operation) => [operation.operationId]))(
    "%s: with the other client's ids, it answers as for unknown ones and reveals nothing of the other client",
    async (operationId) => {
      const foreign = requestOf(operationId, b.ids);
      const answer = await send(foreign);
      expect(answer.status).toBeLessThan(500);
      const named = new Set(foreign.used.map((key) => b.ids[idName(key) as keyof Ids]));
      for (const marker of markers(b).filter((value) => !named.has(value))) expect(answer.text).not.toContain(marker);
      const unknown = await send(requestOf(operationId, UNKNOWN));
      expect(normalised(answer, b.ids)).toEqual(normalised(unknown, UNKNOWN));
      if (answer.status === 200) {
        // Only the lists kept within the scope answer: an id of the other client filters them to nothing.
        expect(operationTable[operationId as keyof typeof operationTable].operatorScoped).toBe(true);
        if (foreign.used.length > 0) expect([foreign.init.method, answer.body.data.items]).toEqual(['GET', []]);
      } else {
        expect([404, 403]).toContain(answer.status);
        if (answer.status === 403) expect(answer.body.code).toBe('4181');
      }
    },
  );

  it("when the manager reads the lists kept within its scope, then it finds its own client's cards, fleet and activity, and nothing of the other's", async () => {
    const scoped = coreOperations.filter((operation) => operation.operatorScoped && operation.method === 'get');
    expect(scoped.map((operation) => operation.operationId).sort()).toEqual(
      [
        'listAuthorizations',
        'listCardDeclines',
        'listCardExceptions',
        'listCards',
        'listClients',
        'listDrivers',
        'listOperations',
        'listServicePoints',
        'listVehicleConsumption',
        'listVehicles',
      ].sort(),
    );
    const texts: Record<string, string> = {};
    for (const operation of scoped) {
      const answer = await send({
        url: `${server.url}${operation.path}${requiredQuery(operation.operationId)}`,
        init: { method: 'GET', headers: { accept: 'application/json' } },
      });
      expect([operation.operationId, answer.status]).toEqual([operation.operationId, 200]);
      for (const marker of markers(b)) expect(answer.text).not.toContain(marker);
      texts[operation.operationId] = answer.text;
    }
    expect(texts.listCards).toContain(a.ids.cardId);
    expect(texts.listClients).toContain(a.ids.clientId);
    expect(texts.listVehicles).toContain(a.ids.vehicleId);
    expect(texts.listVehicleConsumption).toContain(a.ids.vehicleId);
    expect(texts.listDrivers).toContain(a.ids.driverId);
    expect(texts.listOperations).toContain(a.ids.operationId);
    expect(texts.listAuthorizations).toContain(a.ids.authorizationId);
    expect(JSON.parse(texts.listCardDeclines).data.items).toEqual([expect.objectContaining({ cardId: a.ids.cardId })]);
    expect(JSON.parse(texts.listCardExceptions).data.items).toEqual([expect.objectContaining({ cardId: a.ids.cardId })]);
    expect(JSON.parse(texts.listServicePoints).data.items).toEqual([]);
  });

  it("when the manager reads its own client's resources by id, then each answers", async () => {
    for (const [operationId, key] of [
      ['getCard', 'cardId'],
      ['getClient', 'clientId'],
      ['getVehicle', 'vehicleId'],
      ['getDriver', 'driverId'],
      ['getOperation', 'operationId'],
      ['getAuthorization', 'authorizationId'],
      ['getVehicleConsumption', 'vehicleId'],
      ['getCardStatement', 'cardId'],
    ] as const) {
      const answer = await send(requestOf(operationId, { ...UNKNOWN, [key]: a.ids[key] }));
      expect([operationId, answer.status]).toEqual([operationId, 200]);
      for (const marker of markers(b)) expect(answer.text).not.toContain(marker);
    }
  });

  it("when the manager changes the other client's time zone, then it is 404 as for an unknown client and the zone stays; its own client's changes", async () => {
    const patch = (clientId: string, timeZone: string | null) =>
      send({
        url: `${server.url}/core/v1/clients/${clientId}`,
        init: { method: 'PATCH', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify({ timeZone }) },
      });
    const foreign = await patch(b.ids.clientId, 'Africa/Niamey');
    expect(normalised(foreign, b.ids)).toEqual(normalised(await patch(UNKNOWN.clientId, 'Africa/Niamey'), UNKNOWN));
    expect((await core().coreReferential.getClient({ clientId: b.ids.clientId })).data.timeZone).toBeNull();
    const own = await patch(a.ids.clientId, 'Africa/Niamey');
    expect([own.status, own.body.data.timeZone]).toEqual([200, 'Africa/Niamey']);
    expect((await patch(a.ids.clientId, null)).body.data.timeZone).toBeNull();
  });
});
