/**
 * Fleet managers, and operators of a network or a service point: an operator whose grants
 * cover one client company reads that client's cards, fleet and activity through the lists
 * (nothing of another client's), blocks a lost card, suspends and reactivates one, sets a
 * card's controls within what its profile allows and sets its drivers' codes; outside its
 * scope a resource answers as an unknown one (404), and a right it was not granted is 4180.
 * A network's operator reads the network's clients' cards; a service point's operator reads
 * its own service point's card and the operations made there.
 */
import { randomUUID } from 'node:crypto';
import { CardOppositionRequestReasonEnum, CardService } from '../generated/sdk';
import { call, failure } from './support/http';
import { startOidcProvider, type OidcProvider } from './support/oidc-provider';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, credit, issueCard, newClient, newClientWorld, newStation, xof, type ClientWorld } from './support/world';

let provider: OidcProvider;
let server: TestServer;
let root: string;
let clientA: ClientWorld;
let clientB: string;
let otherNetwork: ClientWorld;
let station: string;
let otherStation: string;
const core = (token: string = root) => server.sdk({ token });
const bearer = (token: string) => ({ authorization: `Bearer ${token}`, accept: 'application/json' });

/** A role with these rights granted to a new operator over the scope; its token. */
async function operatorWith(subject: string, rights: string[], scope: { kind: 'issuer' | 'network' | 'client' | 'service-point'; id: string | null }) {
  const admin = core().coreOperators;
  const role = (await admin.createOperatorRole({ operatorRoleCreate: { name: `Rôle ${subject}`, rights } })).data;
  const operator = (await admin.createOperator({ operatorCreate: { issuer: provider.issuer, subject, displayName: `Opérateur ${subject}` } })).data;
  await admin.grantOperatorRole({ operatorId: operator.id, operatorGrantCreate: { roleId: role.id, scope } });
  return () => provider.token(subject);
}

const FLEET_MANAGER = ['clients.read', 'cards.read', 'cards.lifecycle', 'cards.controls', 'controls.read', 'fleet.read', 'fleet.write', 'ledger.read'];
let fleetManager: () => Promise<string>;

const payAt = (cardId: string, servicePointId: string) =>
  core().coreLedger.createPayment({
    idempotencyKey: randomUUID(),
    paymentCreate: { cardId, servicePointId, amount: xof(700), service: CardService.Shop, receiptNumber: randomUUID() },
  });

beforeAll(async () => {
  provider = await startOidcProvider();
  server = await startTestServer({
    config: { oidc: { issuer: provider.issuer, audience: provider.audience, clockSkewSeconds: 5, jwksCooldownSeconds: 0 } },
  });
  root = await server.coreToken();
  clientA = await newClientWorld(core(), 'FMA', { allowedServices: [CardService.Fuel, CardService.Shop] });
  clientB = await newClient(core(), clientA.networkId, 'FLOTTE-FMB');
  otherNetwork = await newClientWorld(core(), 'FMC');
  station = (await newStation(core(), clientA.networkId, 'STATION-FMA')).id;
  otherStation = (await newStation(core(), clientA.networkId, 'STATION-FMB')).id;
  await core().coreCards.replaceCardProfileControls({
    profileId: clientA.profileId,
    spendingControls: { amount: { limits: [{ perDay: xof(50000) }], mode: 'hard' }, fillInterval: { minMinutes: 30, mode: 'hard' } },
  });
  fleetManager = await operatorWith('flotte-a', FLEET_MANAGER, { kind: 'client', id: clientA.clientId });
});
checkLedgerAfterEach(() => server.database.db);
afterAll(async () => {
  await server.stop();
  await provider.stop();
});

describe('a fleet manager (an operator over one client company)', () => {
  it("when it blocks a lost card of its client, suspends and reactivates another, then each changes; another client's card answers 404 as an unknown one and is unchanged", async () => {
    const lost = (await issueCard(core(), clientA)).id;
    const other = (await issueCard(core(), clientA)).id;
    const foreign = (await issueCard(core(), { clientId: clientB, profileId: clientA.profileId })).id;
    const cards = core(await fleetManager()).coreCards;
    const opposed = (await cards.opposeCard({ cardId: lost, cardOppositionRequest: { reason: CardOppositionRequestReasonEnum.Lost, comment: 'Perdue' } })).data;
    expect(opposed.status).toBe('opposed');
    expect((await cards.suspendCard({ cardId: other, cardTransitionRequest: { reason: 'Chauffeur absent' } })).data.status).toBe('suspended');
    expect((await cards.reactivateCard({ cardId: other, cardTransitionRequest: { reason: 'Retour du chauffeur' } })).data.status).toBe('active');
    const url = (cardId: string) => `${server.url}/core/v1/cards/${cardId}/oppose`;
    const send = async (cardId: string) =>
      call(url(cardId), {
        method: 'POST',
        headers: { ...bearer(await fleetManager()), 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'lost' }),
      });
    const refused = await send(foreign);
    const unknown = await send('crd_000000000000000000000000');
    expect([refused.status, refused.body.code]).toEqual([404, '3008']);
    expect({ ...refused.body, requestId: null, debugMessage: null }).toEqual({ ...unknown.body, requestId: null, debugMessage: null });
    expect(refused.body.debugMessage).toBe(`No card ${foreign}`);
    expect((await core().coreCards.getCard({ cardId: foreign })).data.status).toBe('active');
  });

  it("when it sets a card's controls within the profile, then they apply; beyond it, 403 4185 names each field, where the issuer may", async () => {
    const cardId = (await issueCard(core(), clientA)).id;
    const cards = core(await fleetManager()).coreCards;
    const tighter = { amount: { limits: [{ perTransaction: xof(10000), perDay: xof(40000) }], mode: 'hard' as const } };
    expect((await cards.replaceCardControls({ cardId, spendingControls: tighter })).data.overrides).toEqual(tighter);
    const looser = {
      amount: { limits: [{ perTransaction: xof(10000) }], mode: 'soft' as const },
      fillInterval: { minMinutes: 10, mode: 'hard' as const },
    };
    const refused = await failure(cards.replaceCardControls({ cardId, spendingControls: looser }));
    expect([refused.status, refused.body.code]).toEqual([403, '4185']);
    expect(refused.body.errors.map((error: { path: string }) => error.path)).toEqual([
      '/body/amount/limits/0/perDay',
      '/body/amount/mode',
      '/body/fillInterval/minMinutes',
    ]);
    expect((await cards.getCardControls({ cardId })).data.overrides).toEqual(tighter);
    expect((await core().coreCards.replaceCardControls({ cardId, spendingControls: looser })).data.overrides).toEqual(looser);
  });

  it("when it sets a driver's code of its client, then the driver's code changes; another client's driver answers 404 as an unknown one", async () => {
    const fleet = core().coreFleet;
    const own = (await fleet.createDriver({ driverCreate: { clientId: clientA.clientId, name: 'Awa Traoré', phone: '+2250101010101', driverCode: '482915' } }))
      .data;
    const foreign = (await fleet.createDriver({ driverCreate: { clientId: clientB, name: 'Awa Traoré', phone: '+2250101010101', driverCode: '482915' } })).data;
    const managed = core(await fleetManager()).coreFleet;
    const changed = (await managed.setDriverCode({ driverId: own.id, driverCodeChange: { driverCode: '731604' } })).data;
    expect(changed.codeSetAt.getTime()).toBeGreaterThanOrEqual(own.codeSetAt.getTime());
    const refused = await failure(managed.setDriverCode({ driverId: foreign.id, driverCodeChange: { driverCode: '731604' } }));
    const unknown = await failure(managed.setDriverCode({ driverId: 'drv_000000000000000000000000', driverCodeChange: { driverCode: '731604' } }));
    expect([refused.status, refused.body.code, refused.body.message]).toEqual([404, unknown.body.code, unknown.body.message]);
    expect((await fleet.getDriver({ driverId: foreign.id })).data.codeSetAt).toEqual(foreign.codeSetAt);
  });

  it('when it lists cards, vehicles and drivers, then only its client’s come, whatever the filter asks', async () => {
    const own = (await issueCard(core(), clientA)).id;
    const foreign = (await issueCard(core(), { clientId: clientB, profileId: clientA.profileId })).id;
    await core().coreFleet.createVehicle({ vehicleCreate: { clientId: clientB, registration: 'FMB 01', tankCapacityMl: 80000 } });
    const token = await fleetManager();
    const cards = (await core(token).coreCards.listCards({ limit: 100 })).data.items.map((card) => card.id);
    expect(cards).toContain(own);
    expect(cards).not.toContain(foreign);
    expect(new Set((await core(token).coreCards.listCards({ limit: 100 })).data.items.map((card) => card.clientId))).toEqual(new Set([clientA.clientId]));
    expect((await core(token).coreCards.listCards({ clientId: clientB })).data.items).toEqual([]);
    expect((await core(token).coreFleet.listVehicles({})).data.items.map((vehicle) => vehicle.clientId)).not.toContain(clientB);
    expect((await core(token).coreReferential.listClients({})).data.items).toEqual([expect.objectContaining({ id: clientA.clientId })]);
  });

  it('when it calls an operation its roles do not grant, then it is 403 4180; a creation needs the issuer, 403 4181', async () => {
    const token = await fleetManager();
    const readOnly = await operatorWith('flotte-a-lecture', ['cards.read', 'fleet.read'], { kind: 'client', id: clientA.clientId });
    const driver = (
      await core().coreFleet.createDriver({ driverCreate: { clientId: clientA.clientId, name: 'Ali', phone: '+2250202020202', driverCode: '135790' } })
    ).data;
    const refused = await failure(core(await readOnly()).coreFleet.setDriverCode({ driverId: driver.id, driverCodeChange: { driverCode: '246801' } }));
    expect([refused.status, refused.body.code]).toEqual([403, '4180']);
    const created = await failure(
      core(token).coreFleet.createVehicle({ vehicleCreate: { clientId: clientA.clientId, registration: 'FMA 02', tankCapacityMl: 80000 } }),
    );
    expect([created.status, created.body.code]).toEqual([403, '4181']);
  });
});

describe('operators of a network or a service point', () => {
  it("when an operator of a network lists cards, then it gets its clients' cards and not another network's", async () => {
    const inNetwork = (await issueCard(core(), { clientId: clientB, profileId: clientA.profileId })).id;
    const elsewhere = (await issueCard(core(), otherNetwork)).id;
    const token = await (await operatorWith('reseau-a', ['cards.read'], { kind: 'network', id: clientA.networkId }))();
    const cards = (await core(token).coreCards.listCards({ limit: 100 })).data.items.map((card) => card.id);
    expect(cards).toContain(inNetwork);
    expect(cards).not.toContain(elsewhere);
    expect((await failure(core(token).coreCards.getCard({ cardId: elsewhere }))).status).toBe(404);
  });

  it('when an operator of a service point reads operations, then it gets those made there, not at another service point', async () => {
    const [first, second] = [(await issueCard(core(), clientA)).id, (await issueCard(core(), clientA)).id];
    await credit(core(), first, 10000);
    await credit(core(), second, 10000);
    const here = (await payAt(first, station)).data;
    const there = (await payAt(second, otherStation)).data;
    const token = await (await operatorWith('station-a', ['ledger.read', 'cards.read'], { kind: 'service-point', id: station }))();
    const operations = (await core(token).coreLedger.listOperations({ limit: 100 })).data.items.map((operation) => operation.id);
    expect(operations).toContain(here.id);
    expect(operations).not.toContain(there.id);
    expect((await core(token).coreLedger.getOperation({ operationId: here.id })).data.id).toBe(here.id);
    expect((await failure(core(token).coreLedger.getOperation({ operationId: there.id }))).status).toBe(404);
    expect((await core(token).coreCards.listCards({})).data.items.map((card) => card.kind)).toEqual(['eservice']);
  });
});
