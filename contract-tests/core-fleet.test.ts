/** Core API: vehicles and drivers of client fleets, driver codes kept secret, and the links of member cards to them. */
import { FleetStatus } from '../generated/sdk';
import { cardDriver, driverCodeMatches } from '../src/domain/fleet/drivers';
import { cardVehicle } from '../src/domain/fleet/vehicles';
import { expectDocumented } from './support/contract';
import { call, type Answer } from './support/http';
import { startTestServer, usedSecret, type TestServer } from './support/server';
import { issueCard, newCardProfile, newClient, newEnergyType, newNetwork, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
let clientId: string;
let otherClientId: string;
let inactiveClientId: string;
let cardId: string;
let otherCardId: string;
let eserviceCardId: string;
const sdk = () => server.sdk({ token });

/** Every answer body of this file, to show that no driver code ever comes back. */
const answers: string[] = [];
/** Every driver code this file sends (8 digits, so that the log check can look for them too). */
const codes = new Set<string>();
const driverCode = (code: string) => (codes.add(code), usedSecret(code), code);

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT';
const request = async (method: Method, path: string, body?: unknown, bearer = token, language?: string): Promise<Answer> => {
  const answer = await call(`${server.url}/core/v1/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(language ? { 'accept-language': language } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  answers.push(answer.text);
  return answer;
};

/** Everything a refusal could have changed: vehicles, drivers, the cards' links and the audit trail. */
const stored = async () =>
  JSON.stringify([
    await server.database.db.query('SELECT * FROM vehicles ORDER BY seq'),
    await server.database.db.query('SELECT * FROM drivers ORDER BY seq'),
    await server.database.db.query('SELECT id, vehicle_id, driver_id, updated_at FROM cards ORDER BY seq'),
    await server.database.db.query('SELECT count(*)::int AS n FROM audit_events'),
  ]);

let registrations = 0;
/** A new vehicle of the client (a fresh registration each time); answers its id. */
async function newVehicle(client = clientId, fields: Record<string, unknown> = {}): Promise<string> {
  registrations += 1;
  const answer = await request('POST', 'vehicles', { clientId: client, registration: `${1000 + registrations} AB 01`, tankCapacityMl: 60000, ...fields });
  expect(answer.status).toBe(200);
  return answer.body.data.id;
}

let driverCodes = 0;
async function newDriver(client = clientId): Promise<string> {
  driverCodes += 1;
  const answer = await request('POST', 'drivers', {
    clientId: client,
    name: 'Yao Koffi',
    phone: '+2250102030405',
    driverCode: driverCode(String(61000000 + driverCodes)),
  });
  expect(answer.status).toBe(200);
  return answer.body.data.id;
}

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const referential = sdk().coreReferential;
  const networkId = await newNetwork(sdk(), 'RES-FLOTTE');
  clientId = await newClient(sdk(), networkId, 'FLOTTE-A');
  otherClientId = await newClient(sdk(), networkId, 'FLOTTE-B');
  inactiveClientId = await newClient(sdk(), networkId, 'FLOTTE-C');
  await referential.deactivateClient({ clientId: inactiveClientId });
  await newEnergyType(sdk(), 'GASOIL');
  await newEnergyType(sdk(), 'SUPER');
  eserviceCardId = (await newStation(sdk(), networkId, 'STATION-FLOTTE')).cardId;
  const profileId = await newCardProfile(sdk(), 'PROFIL-FLOTTE', { validityMonths: 36, monthlyOfflineCap: xof(100000) });
  cardId = (await issueCard(sdk(), { clientId, profileId })).id;
  otherCardId = (await issueCard(sdk(), { clientId: otherClientId, profileId })).id;
});
afterAll(() => server.stop());

describe('vehicles', () => {
  it('when a vehicle is created, then its registration is stored upper-case, it reads back, lists and is audited', async () => {
    const created = await request('POST', 'vehicles', { clientId, registration: 'ab-123-cd', tankCapacityMl: 80000, energyTypeCode: 'GASOIL' });
    expect(created.status).toBe(200);
    expectDocumented('createVehicle', 200, created.body);
    const vehicle = created.body.data;
    expect(vehicle).toEqual({
      id: expect.stringMatching(/^veh_[0-9a-f]{24}$/),
      clientId,
      registration: 'AB-123-CD',
      tankCapacityMl: 80000,
      energyTypeCode: 'GASOIL',
      status: 'active',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const read = await request('GET', `vehicles/${vehicle.id}`);
    expectDocumented('getVehicle', 200, read.body);
    expect(read.body.data).toEqual(vehicle);
    expect((await sdk().coreFleet.getVehicle({ vehicleId: vehicle.id })).data.registration).toBe('AB-123-CD');

    const noEnergy = await request('POST', 'vehicles', { clientId, registration: 'XY 99 ZZ', tankCapacityMl: 1000 });
    expect(noEnergy.body.data).toMatchObject({ energyTypeCode: null, tankCapacityMl: 1000 });
    const largest = await request('POST', 'vehicles', { clientId: otherClientId, registration: 'AB-123-CD', tankCapacityMl: 2000000, energyTypeCode: null });
    expect(largest.status).toBe(200); // the same registration in another client

    const audit = (await request('GET', `audit-events?resourceId=${vehicle.id}&action=vehicle.created`)).body.data.items;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ resourceType: 'vehicle', before: null, after: vehicle });
  });

  it('when vehicles are listed by client and status, then only those come, by cursor pages', async () => {
    const retired = await newVehicle();
    await request('PATCH', `vehicles/${retired}`, { status: 'retired' });
    const all = await request('GET', `vehicles?clientId=${clientId}`);
    expectDocumented('listVehicles', 200, all.body);
    expect(all.body.data.items.length).toBeGreaterThanOrEqual(3);
    expect(all.body.data.items.every((vehicle: { clientId: string }) => vehicle.clientId === clientId)).toBe(true);
    const onlyRetired = await sdk().coreFleet.listVehicles({ clientId, status: FleetStatus.Retired });
    expect(onlyRetired.data.items.map((vehicle) => vehicle.id)).toEqual([retired]);

    const first = await request('GET', `vehicles?clientId=${clientId}&limit=1`);
    expect(first.body.data.items).toHaveLength(1);
    expect(first.body.data.nextCursor).toEqual(expect.any(String));
    const second = await request('GET', `vehicles?clientId=${clientId}&limit=1&cursor=${first.body.data.nextCursor}`);
    expect(second.body.data.items[0].id).not.toBe(first.body.data.items[0].id);
    expect(all.body.data.items.slice(0, 2)).toEqual([first.body.data.items[0], second.body.data.items[0]]);
  });

  it('when a vehicle is updated, then each field changes alone, null removes the energy type, and it is audited', async () => {
    const id = await newVehicle(clientId, { energyTypeCode: 'GASOIL' });
    const before = (await request('GET', `vehicles/${id}`)).body.data;
    const updated = await request('PATCH', `vehicles/${id}`, { tankCapacityMl: 100000 });
    expectDocumented('updateVehicle', 200, updated.body);
    expect(updated.body.data).toEqual({ ...before, tankCapacityMl: 100000, updatedAt: expect.any(String) });
    expect((await request('PATCH', `vehicles/${id}`, { registration: 'cd 456 ef' })).body.data.registration).toBe('CD 456 EF');
    expect((await request('PATCH', `vehicles/${id}`, { energyTypeCode: 'SUPER' })).body.data.energyTypeCode).toBe('SUPER');
    expect((await request('PATCH', `vehicles/${id}`, { energyTypeCode: null })).body.data).toMatchObject({
      energyTypeCode: null,
      tankCapacityMl: 100000,
      registration: 'CD 456 EF',
    });
    expect((await request('PATCH', `vehicles/${id}`, { status: 'retired' })).body.data.status).toBe('retired');
    expect((await request('PATCH', `vehicles/${id}`, { status: 'active' })).body.data.status).toBe('active');
    // Its own registration again, in another case: no conflict with itself.
    expect((await request('PATCH', `vehicles/${id}`, { registration: 'CD 456 ef' })).status).toBe(200);
    const audit = (await request('GET', `audit-events?resourceId=${id}&action=vehicle.updated`)).body.data.items;
    expect(audit).toHaveLength(7);
    expect(audit[0]).toMatchObject({ before: { tankCapacityMl: 60000 }, after: { tankCapacityMl: 100000 } });
  });
});

describe('bad vehicle input is a precise 4xx and changes nothing', () => {
  const base = () => ({ clientId, registration: 'BAD 1', tankCapacityMl: 50000 });
  const cases: [string, () => unknown, number, string, string | null][] = [
    ['a tank of 0 litres', () => ({ ...base(), tankCapacityMl: 0 }), 400, '2001', '/body/tankCapacityMl'],
    ['a tank under 1 litre', () => ({ ...base(), tankCapacityMl: 999 }), 400, '2001', '/body/tankCapacityMl'],
    ['a tank of 10,000 litres', () => ({ ...base(), tankCapacityMl: 10_000_000 }), 400, '2001', '/body/tankCapacityMl'],
    ['a tank just over 2,000 litres', () => ({ ...base(), tankCapacityMl: 2_000_001 }), 400, '2001', '/body/tankCapacityMl'],
    ['a negative tank', () => ({ ...base(), tankCapacityMl: -60000 }), 400, '2001', '/body/tankCapacityMl'],
    ['a fractional tank', () => ({ ...base(), tankCapacityMl: 60000.5 }), 400, '2001', '/body/tankCapacityMl'],
    ['a tank in a string', () => ({ ...base(), tankCapacityMl: '60000' }), 400, '2001', '/body/tankCapacityMl'],
    ['no tank', () => ({ clientId, registration: 'BAD 1' }), 400, '2001', null],
    ['an empty registration', () => ({ ...base(), registration: '' }), 400, '2001', '/body/registration'],
    ['a registration of one character', () => ({ ...base(), registration: 'A' }), 400, '2001', '/body/registration'],
    ['a registration with two separators in a row', () => ({ ...base(), registration: 'AB--12' }), 400, '2001', '/body/registration'],
    ['a registration with a leading space', () => ({ ...base(), registration: ' AB 12' }), 400, '2001', '/body/registration'],
    ['a registration with an underscore', () => ({ ...base(), registration: 'AB_12' }), 400, '2001', '/body/registration'],
    ['a registration with accents', () => ({ ...base(), registration: 'ÉTÉ 12' }), 400, '2001', '/body/registration'],
    ['a registration of 17 characters', () => ({ ...base(), registration: 'ABCDEFGH-12345678' }), 400, '2001', '/body/registration'],
    ['a lower-case energy type code', () => ({ ...base(), energyTypeCode: 'gasoil' }), 400, '2001', '/body/energyTypeCode'],
    ['an unknown energy type', () => ({ ...base(), energyTypeCode: 'KEROSENE' }), 404, '3005', null],
    ['an unknown client', () => ({ ...base(), clientId: 'cli_000000000000000000000000' }), 404, '3003', null],
    ['a malformed client id', () => ({ ...base(), clientId: 'FLOTTE-A' }), 400, '2001', '/body/clientId'],
    ['an inactive client', () => ({ ...base(), clientId: inactiveClientId }), 409, '4004', null],
    ['a registration the client has, in lower case', () => ({ ...base(), registration: 'ab-123-cd' }), 409, '4073', '/body/registration'],
    ['a status', () => ({ ...base(), status: 'retired' }), 400, '2001', null],
    ['an unknown field', () => ({ ...base(), colour: 'blue' }), 400, '2001', null],
  ];
  it.each(cases)('when a vehicle is created with %s, then it is refused with nothing stored', async (_label, body, status, code, path) => {
    const before = await stored();
    const answer = await request('POST', 'vehicles', body());
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expectDocumented('createVehicle', status, answer.body);
    if (path) expect(answer.body.errors.map((error: { path: string }) => error.path)).toContain(path);
    expect(await stored()).toEqual(before);
  });

  const updates: [string, unknown, number, string][] = [
    ['a tank of 0 litres', { tankCapacityMl: 0 }, 400, '2001'],
    ['a tank of 10,000 litres', { tankCapacityMl: 10_000_000 }, 400, '2001'],
    ['a bad registration', { registration: 'AB  12' }, 400, '2001'],
    ['a registration another vehicle of the client has', { registration: 'Ab-123-Cd' }, 409, '4073'],
    ['an unknown energy type', { energyTypeCode: 'KEROSENE' }, 404, '3005'],
    ['an unknown status', { status: 'scrapped' }, 400, '2001'],
    ['a new client', { clientId: otherClientId }, 400, '2001'],
    ['nothing', {}, 400, '2001'],
  ];
  it.each(updates)('when a vehicle is updated with %s, then it is refused with nothing changed', async (_label, body, status, code) => {
    const id = await newVehicle();
    const before = await stored();
    const answer = await request('PATCH', `vehicles/${id}`, body);
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expectDocumented('updateVehicle', status, answer.body);
    expect(await stored()).toEqual(before);
  });

  it('when an unknown or malformed vehicle id is read or updated, then it is 404 3015 or 400 2001', async () => {
    const before = await stored();
    expect((await request('GET', 'vehicles/veh_000000000000000000000000')).body.code).toBe('3015');
    expect((await request('PATCH', 'vehicles/veh_000000000000000000000000', { tankCapacityMl: 50000 })).body.code).toBe('3015');
    const malformed = await request('GET', 'vehicles/AB-123-CD');
    expect([malformed.status, malformed.body.code]).toEqual([400, '2001']);
    expect(await stored()).toEqual(before);
  });
});

describe('drivers and their codes', () => {
  it('when a driver is created, then the answer, the read, the list and the audit trail carry no code, and the database keeps only a keyed hash', async () => {
    const code = driverCode('73918264');
    const created = await request('POST', 'drivers', { clientId, name: '  Konan Kouadio ', phone: '+2250707080910', driverCode: code });
    expect(created.status).toBe(200);
    expectDocumented('createDriver', 200, created.body);
    const driver = created.body.data;
    expect(driver).toEqual({
      id: expect.stringMatching(/^drv_[0-9a-f]{24}$/),
      clientId,
      name: 'Konan Kouadio',
      phone: '+2250707080910',
      status: 'active',
      codeSetAt: expect.any(String),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const read = await request('GET', `drivers/${driver.id}`);
    expectDocumented('getDriver', 200, read.body);
    expect(read.body.data).toEqual(driver);
    const listed = await request('GET', `drivers?clientId=${clientId}&status=active`);
    expectDocumented('listDrivers', 200, listed.body);
    expect(listed.body.data.items).toContainEqual(driver);
    expect((await sdk().coreFleet.getDriver({ driverId: driver.id })).data.name).toBe('Konan Kouadio');

    const [row] = await server.database.db.query<Record<string, unknown>>('SELECT * FROM drivers WHERE id = $1', [driver.id]);
    expect(JSON.stringify(row)).not.toContain(code);
    expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
    const audit = await request('GET', `audit-events?resourceId=${driver.id}`);
    expect(audit.body.data.items).toHaveLength(1);
    expect(audit.text).not.toContain(code);
    expect(audit.text).not.toContain(String(row.code_hash));
  });

  it('when two drivers have the same code, then their stored hashes differ, and each matches only its own code', async () => {
    const code = driverCode('55550001');
    const ids = [];
    for (const name of ['Driss Ouattara', 'Fanta Koné'])
      ids.push((await request('POST', 'drivers', { clientId, name, phone: '+2250504030201', driverCode: code })).body.data.id);
    const rows = await server.database.db.query<{ id: string; code_hash: string }>('SELECT id, code_hash FROM drivers WHERE id = ANY($1::text[])', [ids]);
    expect(new Set(rows.map((row) => row.code_hash)).size).toBe(2);
    for (const row of rows) {
      expect(driverCodeMatches(server.cardVault, { id: row.id, codeHash: row.code_hash }, code)).toBe(true);
      expect(driverCodeMatches(server.cardVault, { id: row.id, codeHash: row.code_hash }, '55550002')).toBe(false);
      expect(driverCodeMatches(server.cardVault, { id: row.id, codeHash: row.code_hash }, '')).toBe(false);
    }
    const [a, b] = rows;
    expect(driverCodeMatches(server.cardVault, { id: a.id, codeHash: b.code_hash }, code)).toBe(false);
    expect(driverCodeMatches(server.cardVault, { id: a.id, codeHash: 'not-hex' }, code)).toBe(false);
  });

  it('when a driver is updated, then name, phone and status change, and the code stays', async () => {
    const id = await newDriver();
    const [{ code_hash: hash }] = await server.database.db.query<{ code_hash: string }>('SELECT code_hash FROM drivers WHERE id = $1', [id]);
    const updated = await request('PATCH', `drivers/${id}`, { phone: '+2250505060708' });
    expectDocumented('updateDriver', 200, updated.body);
    expect(updated.body.data.phone).toBe('+2250505060708');
    expect((await request('PATCH', `drivers/${id}`, { name: 'Yao Koffi Jean' })).body.data).toMatchObject({ name: 'Yao Koffi Jean', phone: '+2250505060708' });
    expect((await request('PATCH', `drivers/${id}`, { status: 'retired' })).body.data.status).toBe('retired');
    expect((await sdk().coreFleet.listDrivers({ clientId, status: FleetStatus.Retired })).data.items.map((driver) => driver.id)).toContain(id);
    expect((await request('PATCH', `drivers/${id}`, { status: 'active' })).body.data.status).toBe('active');
    const [after] = await server.database.db.query<{ code_hash: string }>('SELECT code_hash FROM drivers WHERE id = $1', [id]);
    expect(after.code_hash).toBe(hash);
    const audit = (await request('GET', `audit-events?resourceId=${id}&action=driver.updated`)).body.data.items;
    expect(audit).toHaveLength(4);
  });

  it('when a new code is set, then the answer has no code, codeSetAt moves, the old code stops matching and the new one matches', async () => {
    const oldCode = driverCode('24681357');
    const id = (await request('POST', 'drivers', { clientId, name: 'Mariam Sangaré', phone: '+2250708091011', driverCode: oldCode })).body.data.id;
    const before = (await request('GET', `drivers/${id}`)).body.data;
    const newCode = driverCode('97531864');
    const answer = await request('POST', `drivers/${id}/code`, { driverCode: newCode });
    expect(answer.status).toBe(200);
    expectDocumented('setDriverCode', 200, answer.body);
    expect(answer.body.data).toEqual({ ...before, codeSetAt: expect.any(String), updatedAt: expect.any(String) });
    expect(Date.parse(answer.body.data.codeSetAt)).toBeGreaterThan(Date.parse(before.codeSetAt));
    const [row] = await server.database.db.query<{ code_hash: string }>('SELECT code_hash FROM drivers WHERE id = $1', [id]);
    expect(driverCodeMatches(server.cardVault, { id, codeHash: row.code_hash }, oldCode)).toBe(false);
    expect(driverCodeMatches(server.cardVault, { id, codeHash: row.code_hash }, newCode)).toBe(true);
    const sdkAnswer = await sdk().coreFleet.setDriverCode({ driverId: id, driverCodeChange: { driverCode: driverCode('13572468') } });
    expect(sdkAnswer.data.id).toBe(id);
    const audit = await request('GET', `audit-events?resourceId=${id}&action=driver-code.changed`);
    expect(audit.body.data.items).toHaveLength(2);
    expect(audit.text).not.toContain(newCode);
  });
});

describe('bad driver input is a precise 4xx and changes nothing', () => {
  const base = () => ({ clientId, name: 'Adama Cissé', phone: '+2250102030405', driverCode: '4821' });
  const cases: [string, () => unknown, number, string, string | null][] = [
    ['a code of 3 digits', () => ({ ...base(), driverCode: '482' }), 400, '2001', '/body/driverCode'],
    ['a code of 9 digits', () => ({ ...base(), driverCode: '482157391' }), 400, '2001', '/body/driverCode'],
    ['a code with letters', () => ({ ...base(), driverCode: '48a1' }), 400, '2001', '/body/driverCode'],
    ['a code with a space', () => ({ ...base(), driverCode: '48 21' }), 400, '2001', '/body/driverCode'],
    ['a code as a number', () => ({ ...base(), driverCode: 4821 }), 400, '2001', '/body/driverCode'],
    ['a card number as the code', () => ({ ...base(), driverCode: '7070701234564321' }), 400, '2001', '/body/driverCode'],
    ['no code', () => ({ clientId, name: 'Adama Cissé', phone: '+2250102030405' }), 400, '2001', null],
    ['a phone not in E.164 form', () => ({ ...base(), phone: '0707080910' }), 400, '2001', '/body/phone'],
    ['an empty name', () => ({ ...base(), name: '' }), 400, '2001', '/body/name'],
    ['a blank name', () => ({ ...base(), name: '   ' }), 400, '2001', '/body/name'],
    ['an unknown client', () => ({ ...base(), clientId: 'cli_000000000000000000000000' }), 404, '3003', null],
    ['an inactive client', () => ({ ...base(), clientId: inactiveClientId }), 409, '4004', null],
    ['an unknown field', () => ({ ...base(), code: '4821' }), 400, '2001', null],
  ];
  it.each(cases)('when a driver is created with %s, then it is refused with nothing stored', async (_label, body, status, code, path) => {
    const before = await stored();
    const answer = await request('POST', 'drivers', body());
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expectDocumented('createDriver', status, answer.body);
    if (path) expect(answer.body.errors.map((error: { path: string }) => error.path)).toContain(path);
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['PATCH', 'a code', { driverCode: '4821' }, 400, '2001'],
    ['PATCH', 'a bad phone', { phone: '+0' }, 400, '2001'],
    ['PATCH', 'an unknown status', { status: 'fired' }, 400, '2001'],
    ['PATCH', 'nothing', {}, 400, '2001'],
    ['POST', 'a code of 3 digits', { driverCode: '123' }, 400, '2001'],
    ['POST', 'a code of 9 digits', { driverCode: '123456789' }, 400, '2001'],
    ['POST', 'no code', {}, 400, '2001'],
  ] as const)('when a driver is changed by %s with %s, then it is refused with nothing changed', async (method, _label, body, status, code) => {
    const id = await newDriver();
    const before = await stored();
    const answer = await request(method, method === 'PATCH' ? `drivers/${id}` : `drivers/${id}/code`, body);
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expectDocumented(method === 'PATCH' ? 'updateDriver' : 'setDriverCode', status, answer.body);
    expect(await stored()).toEqual(before);
  });

  it('when an unknown driver is read, updated or given a code, then it is 404 3016', async () => {
    const before = await stored();
    const unknown = 'drv_000000000000000000000000';
    expect((await request('GET', `drivers/${unknown}`)).body.code).toBe('3016');
    expect((await request('PATCH', `drivers/${unknown}`, { name: 'Personne' })).body.code).toBe('3016');
    expect((await request('POST', `drivers/${unknown}/code`, { driverCode: '482115' })).body.code).toBe('3016');
    expect(await stored()).toEqual(before);
  });
});

describe("a member card's vehicle and driver", () => {
  it('when a card is linked to a vehicle and a driver of its client, then the card shows both, the helpers read them, and it is audited', async () => {
    const vehicleId = await newVehicle(clientId, { energyTypeCode: 'GASOIL', tankCapacityMl: 70000 });
    const code = driverCode('80604020');
    const driverId = (await request('POST', 'drivers', { clientId, name: 'Ibrahim Touré', phone: '+2250700000001', driverCode: code })).body.data.id;
    const before = (await request('GET', `cards/${cardId}`)).body.data;
    expect(before).toMatchObject({ vehicleId: null, driverId: null });

    const linked = await request('PUT', `cards/${cardId}/fleet`, { vehicleId, driverId });
    expect(linked.status).toBe(200);
    expectDocumented('replaceCardFleet', 200, linked.body);
    expect(linked.body.data).toEqual({ ...before, vehicleId, driverId, updatedAt: expect.any(String) });
    expect((await request('GET', `cards/${cardId}`)).body.data).toEqual(linked.body.data);
    expect((await request('GET', `cards?clientId=${clientId}`)).body.data.items).toContainEqual(linked.body.data);

    expect(await cardVehicle(server.database.db, cardId)).toMatchObject({ id: vehicleId, tankCapacityMl: 70000, energyTypeCode: 'GASOIL', status: 'active' });
    const driver = await cardDriver(server.database.db, cardId);
    expect(driver).toMatchObject({ id: driverId, status: 'active' });
    expect(driverCodeMatches(server.cardVault, driver!, code)).toBe(true);
    expect(driverCodeMatches(server.cardVault, driver!, '80604021')).toBe(false);

    const audit = (await request('GET', `audit-events?resourceId=${cardId}&action=card-fleet.replaced`)).body.data.items;
    expect(audit.map((event: { before: unknown; after: unknown }) => [event.before, event.after])).toEqual([
      [
        { vehicleId: null, driverId: null },
        { vehicleId, driverId },
      ],
    ]);

    // Retired since: the card keeps them, and may be written with them unchanged (here: a new driver only).
    await request('PATCH', `vehicles/${vehicleId}`, { status: 'retired' });
    const otherDriver = await newDriver();
    const kept = await request('PUT', `cards/${cardId}/fleet`, { vehicleId, driverId: otherDriver });
    expect(kept.status).toBe(200);
    expect(kept.body.data).toMatchObject({ vehicleId, driverId: otherDriver });

    const unlinked = await sdk().coreFleet.replaceCardFleet({ cardId, cardFleet: { vehicleId: null, driverId: null } });
    expect(unlinked.data).toMatchObject({ vehicleId: null, driverId: null });
    expect(await cardVehicle(server.database.db, cardId)).toBeNull();
    expect(await cardDriver(server.database.db, cardId)).toBeNull();
  });

  it('when an E-service card is read, then it has no vehicle and no driver, and its helpers answer null', async () => {
    expect((await request('GET', `cards/${eserviceCardId}`)).body.data).toMatchObject({ kind: 'eservice', vehicleId: null, driverId: null });
    expect(await cardVehicle(server.database.db, eserviceCardId)).toBeNull();
  });

  const refusals: [string, () => Promise<[string, unknown]>, number, string][] = [
    ["another client's vehicle", async () => [`cards/${cardId}/fleet`, { vehicleId: await newVehicle(otherClientId), driverId: null }], 409, '4070'],
    ["another client's driver", async () => [`cards/${cardId}/fleet`, { vehicleId: null, driverId: await newDriver(otherClientId) }], 409, '4070'],
    [
      "its own vehicle and another client's driver",
      async () => [`cards/${cardId}/fleet`, { vehicleId: await newVehicle(), driverId: await newDriver(otherClientId) }],
      409,
      '4070',
    ],
    ["another client's card", async () => [`cards/${otherCardId}/fleet`, { vehicleId: await newVehicle(), driverId: await newDriver() }], 409, '4070'],
    [
      'a retired vehicle',
      async () => {
        const id = await newVehicle();
        await request('PATCH', `vehicles/${id}`, { status: 'retired' });
        return [`cards/${cardId}/fleet`, { vehicleId: id, driverId: null }];
      },
      409,
      '4071',
    ],
    [
      'a retired driver',
      async () => {
        const id = await newDriver();
        await request('PATCH', `drivers/${id}`, { status: 'retired' });
        return [`cards/${cardId}/fleet`, { vehicleId: null, driverId: id }];
      },
      409,
      '4072',
    ],
    ['an E-service card', async () => [`cards/${eserviceCardId}/fleet`, { vehicleId: null, driverId: null }], 400, '4018'],
    ['an unknown card', async () => ['cards/crd_000000000000000000000000/fleet', { vehicleId: null, driverId: null }], 404, '3008'],
    ['an unknown vehicle', async () => [`cards/${cardId}/fleet`, { vehicleId: 'veh_000000000000000000000000', driverId: null }], 404, '3015'],
    ['an unknown driver', async () => [`cards/${cardId}/fleet`, { vehicleId: null, driverId: 'drv_000000000000000000000000' }], 404, '3016'],
    ['a malformed vehicle id', async () => [`cards/${cardId}/fleet`, { vehicleId: 'AB-123-CD', driverId: null }], 400, '2001'],
    ['a driver id given as a vehicle id', async () => [`cards/${cardId}/fleet`, { vehicleId: await newDriver(), driverId: null }], 400, '2001'],
    ['no driver field', async () => [`cards/${cardId}/fleet`, { vehicleId: null }], 400, '2001'],
    ['an unknown field', async () => [`cards/${cardId}/fleet`, { vehicleId: null, driverId: null, driverCode: '4821' }], 400, '2001'],
  ];
  it.each(refusals)('when a card is linked with %s, then it is refused with nothing changed', async (_label, arrange, status, code) => {
    const [path, body] = await arrange();
    const before = await stored();
    const answer = await request('PUT', path, body);
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expectDocumented('replaceCardFleet', status, answer.body);
    expect(await stored()).toEqual(before);
  });

  it('when a link across clients is refused in English, then the message says so', async () => {
    const answer = await request('PUT', `cards/${cardId}/fleet`, { vehicleId: await newVehicle(otherClientId), driverId: null }, token, 'en');
    expect(answer.body).toMatchObject({ code: '4070', message: 'Vehicle or driver of another client', errors: [{ path: '/body/vehicleId' }] });
  });

  it('when the database is asked directly to link a card across clients, then it refuses too', async () => {
    const vehicleId = await newVehicle(otherClientId);
    await expect(server.database.db.query('UPDATE cards SET vehicle_id = $2 WHERE id = $1', [cardId, vehicleId])).rejects.toThrow();
  });
});

describe('scopes', () => {
  it('when the caller holds core:fleet.read only, then it reads but cannot write; core:fleet.write alone cannot read', async () => {
    const vehicleId = await newVehicle();
    const driverId = await newDriver();
    const reader = await server.partner({ scopes: ['core:fleet.read', 'core:cards.write', 'core:controls.write'] });
    const readerToken = await server.token(reader.key, reader.secret);
    for (const path of ['vehicles', `vehicles/${vehicleId}`, 'drivers', `drivers/${driverId}`])
      expect((await request('GET', path, undefined, readerToken)).status).toBe(200);
    const before = await stored();
    const writes: [Method, string, unknown][] = [
      ['POST', 'vehicles', { clientId, registration: 'SCOPE 1', tankCapacityMl: 50000 }],
      ['PATCH', `vehicles/${vehicleId}`, { tankCapacityMl: 50000 }],
      ['POST', 'drivers', { clientId, name: 'Sans droit', phone: '+2250102030405', driverCode: '4821' }],
      ['PATCH', `drivers/${driverId}`, { name: 'Sans droit' }],
      ['POST', `drivers/${driverId}/code`, { driverCode: '4821' }],
      ['PUT', `cards/${cardId}/fleet`, { vehicleId, driverId }],
    ];
    for (const [method, path, body] of writes) expect([(await request(method, path, body, readerToken)).body.code]).toEqual(['1006']);
    expect(await stored()).toEqual(before);

    const writer = await server.partner({ scopes: ['core:fleet.write', 'core:cards.read'] });
    const writerToken = await server.token(writer.key, writer.secret);
    for (const path of ['vehicles', `vehicles/${vehicleId}`, 'drivers', `drivers/${driverId}`]) {
      const refused = await request('GET', path, undefined, writerToken);
      expect([refused.status, refused.body.code]).toEqual([403, '1006']);
    }
  });
});

describe('the driver code', () => {
  it('when every answer of this file is read, then none holds a driver code it sent', () => {
    expect(codes.size).toBeGreaterThanOrEqual(8);
    const leaks = [...codes].filter((code) => code.length === 8 && answers.some((text) => text.includes(code)));
    expect(leaks).toEqual([]);
    expect(answers.some((text) => /driverCode/.test(text) && /"data"/.test(text))).toBe(false);
  });
});
