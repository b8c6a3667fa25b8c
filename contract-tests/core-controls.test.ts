/** Core API: spending controls on card profiles (defaults) and cards (overrides), with the source of each effective rule. */
import { CardService, RechargeMode } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { call, type Answer } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let token: string;
let networkId: string;
let servicePointId: string;
let profileId: string;
let cardId: string;
let eserviceCardId: string;
const sdk = () => server.sdk({ token });

const request = (method: 'GET' | 'PUT', path: string, body?: unknown, bearer = token): Promise<Answer> =>
  call(`${server.url}/core/v1/${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const xof = (value: number) => ({ value, unit: 'XOF' });

/** A full set of rules, one of each kind. */
const fullControls = () => ({
  amount: { limits: [{ perTransaction: xof(50000), perDay: xof(100000), perMonth: xof(1500000) }], mode: 'hard' },
  volume: { perTransaction: 60000, perWeek: 400000, mode: 'hard' },
  transactions: { perDay: 3, mode: 'soft' },
  products: { services: ['fuel'], energyTypes: ['GASOIL'], mode: 'hard' },
  locations: { list: 'allow', networkIds: [networkId], servicePointIds: [servicePointId], mode: 'hard' },
  schedule: { windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], from: '05:00', to: '22:00' }], mode: 'soft' },
});

/** Every stored control and audit event, to show a refusal stored nothing. */
const stored = async () => JSON.stringify([
  await server.database.db.query('SELECT * FROM card_profile_controls ORDER BY profile_id'),
  await server.database.db.query('SELECT * FROM card_controls ORDER BY card_id'),
  await server.database.db.query('SELECT count(*)::int AS n FROM audit_events'),
]);

async function newProfile(code: string): Promise<string> {
  return (await sdk().coreCards.createCardProfile({
    cardProfileCreate: {
      code, label: `Profil ${code}`, validityMonths: 36, rechargeMode: RechargeMode.Manual,
      monthlyOfflineCap: xof(200000), allowedServices: [CardService.Fuel, CardService.Lubricants], allowedUnits: ['XOF'],
    },
  })).data.id;
}

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const referential = sdk().coreReferential;
  networkId = (await referential.createNetwork({ networkCreate: { code: 'RES-CONTROLES', name: 'Réseau contrôles' } })).data.id;
  const clientId = (await referential.createClient({ clientCreate: { networkId, code: 'FLOTTE-CTRL', name: 'Flotte contrôlée' } })).data.id;
  await referential.createEnergyType({ energyTypeCreate: { code: 'GASOIL', label: 'Gasoil' } });
  await referential.createUnit({ unitCreate: { code: 'L-GASOIL', label: 'Litre de gasoil', kind: 'volume', scale: 3, energyTypeCode: 'GASOIL' } });
  const station = (await referential.createServicePoint({ servicePointCreate: { code: 'STATION-CTRL', name: 'Station contrôles', address: 'Rue des Jardins, Abidjan', networkId } })).data;
  servicePointId = station.id;
  eserviceCardId = station.eServiceCard.id;
  profileId = await newProfile('PROFIL-CTRL');
  cardId = (await sdk().coreCards.issueCard({ cardIssue: { clientId, profileId, holder: { name: 'Awa Traoré', phone: '+2250101010101' } } })).data.id;
});
afterAll(() => server.stop());

const NONE = { amount: { source: 'none' }, volume: { source: 'none' }, transactions: { source: 'none' }, products: { source: 'none' }, locations: { source: 'none' }, schedule: { source: 'none' } };

describe('controls of a card profile and of its cards', () => {
  it('when nothing is set, then both levels answer empty controls, every effective rule from none', async () => {
    const profile = await newProfile('PROFIL-VIDE');
    expect((await sdk().coreCards.getCardProfileControls({ profileId: profile })).data).toEqual({ profileId: profile, controls: {}, effective: NONE, updatedAt: null });
    const card = await request('GET', `cards/${cardId}/controls`);
    expect(card.status).toBe(200);
    expect(card.body.data).toMatchObject({ cardId, profileId, overrides: {}, updatedAt: null });
  });

  it('when a profile sets its controls, then they read back, its cards inherit them with source profile, and the write is audited', async () => {
    const written = await request('PUT', `card-profiles/${profileId}/controls`, fullControls());
    expect(written.status).toBe(200);
    expectDocumented('replaceCardProfileControls', 200, written.body);
    expect(written.body.data.controls).toEqual(fullControls());
    expect(written.body.data.updatedAt).toEqual(expect.any(String));
    for (const [kind, rule] of Object.entries(fullControls())) expect(written.body.data.effective[kind]).toEqual({ source: 'profile', rule });
    expect((await request('GET', `card-profiles/${profileId}/controls`)).body).toEqual(written.body);

    const card = (await sdk().coreCards.getCardControls({ cardId })).data;
    expect(card.overrides).toEqual({});
    expect(card.updatedAt).toBeNull();
    const raw = (await request('GET', `cards/${cardId}/controls`)).body.data;
    for (const [kind, rule] of Object.entries(fullControls())) expect(raw.effective[kind]).toEqual({ source: 'profile', rule });

    const audit = (await request('GET', `audit-events?resourceId=${profileId}&action=card-profile-controls.replaced`)).body.data.items;
    expect(audit[0]).toMatchObject({ resourceType: 'card-profile', before: {}, after: fullControls(), actor: { name: 'Back-office CYNOD' } });
  });

  it('when a card overrides some kinds, then those come from the card and the rest from the profile; {} inherits all again', async () => {
    await request('PUT', `card-profiles/${profileId}/controls`, fullControls());
    const overrides = { volume: { perTransaction: 80000, perDay: 80000, perWeek: 600000, mode: 'soft' }, locations: { list: 'deny', servicePointIds: [servicePointId], mode: 'hard' } };
    const written = await request('PUT', `cards/${cardId}/controls`, overrides);
    expect(written.status).toBe(200);
    expectDocumented('replaceCardControls', 200, written.body);
    expect(written.body.data).toMatchObject({ cardId, profileId, overrides });
    const { effective } = written.body.data;
    expect(effective.volume).toEqual({ source: 'card', rule: overrides.volume });
    expect(effective.locations).toEqual({ source: 'card', rule: overrides.locations });
    expect(effective.amount).toEqual({ source: 'profile', rule: fullControls().amount });
    expect(effective.schedule).toEqual({ source: 'profile', rule: fullControls().schedule });
    expect((await request('GET', `cards/${cardId}/controls`)).body).toEqual(written.body);

    // The profile changes later: the card's overrides stay, the inherited kinds follow.
    await request('PUT', `card-profiles/${profileId}/controls`, { transactions: { perDay: 2, perWeek: 10, mode: 'hard' } });
    const after = (await request('GET', `cards/${cardId}/controls`)).body.data.effective;
    expect(after.transactions).toEqual({ source: 'profile', rule: { perDay: 2, perWeek: 10, mode: 'hard' } });
    expect(after.amount).toEqual({ source: 'none' });
    expect(after.volume.source).toBe('card');

    const cleared = (await request('PUT', `cards/${cardId}/controls`, {})).body.data;
    expect(cleared.overrides).toEqual({});
    expect(cleared.effective.volume).toEqual({ source: 'none' });
    expect(cleared.effective.transactions.source).toBe('profile');
    const audit = (await request('GET', `audit-events?resourceId=${cardId}&action=card-controls.replaced`)).body.data.items;
    expect(audit.map((event: { before: unknown; after: unknown }) => [event.before, event.after])).toEqual([[{}, overrides], [overrides, {}]]);
  });
});

describe('an inconsistent write is refused with the offending pair, and nothing is stored', () => {
  it.each([
    ['money per day above per week', { amount: { limits: [{ perDay: xof(200000), perWeek: xof(150000) }], mode: 'hard' } }, [['/body/amount/limits/0/perDay', 'perWeek']]],
    ['money per transaction above per month', { amount: { limits: [{ perTransaction: xof(90000), perMonth: xof(80000) }], mode: 'soft' } }, [['/body/amount/limits/0/perTransaction', 'perMonth']]],
    ['litres per transaction above per day', { volume: { perTransaction: 70000, perDay: 60000, mode: 'hard' } }, [['/body/volume/perTransaction', 'perDay']]],
    ['litres per week above per month', { volume: { perWeek: 500000, perMonth: 400000, mode: 'hard' } }, [['/body/volume/perWeek', 'perMonth']]],
    ['transactions per day above per week', { transactions: { perDay: 8, perWeek: 5, mode: 'soft' } }, [['/body/transactions/perDay', 'perWeek']]],
    ['transactions per week above per month', { transactions: { perWeek: 40, perMonth: 30, mode: 'hard' } }, [['/body/transactions/perWeek', 'perMonth']]],
    ['two pairs at once', { volume: { perTransaction: 90000, perDay: 80000, perWeek: 70000, mode: 'hard' } }, [['/body/volume/perTransaction', 'perDay'], ['/body/volume/perTransaction', 'perWeek'], ['/body/volume/perDay', 'perWeek']]],
  ])('when %s, then it is 400 4050 on both levels', async (_label, body, pairs) => {
    for (const path of [`card-profiles/${profileId}/controls`, `cards/${cardId}/controls`]) {
      const before = await stored();
      const answer = await request('PUT', path, body);
      expect([answer.status, answer.body.code]).toEqual([400, '4050']);
      expectDocumented(path.startsWith('cards') ? 'replaceCardControls' : 'replaceCardProfileControls', 400, answer.body);
      expect(answer.body.errors.map((error: { path: string; message: string }) => [error.path, error.message.split(' ')[5]])).toEqual(pairs);
      expect(await stored()).toEqual(before);
    }
  });

  it('when equal limits follow each other, then they are consistent', async () => {
    const answer = await request('PUT', `cards/${cardId}/controls`, { volume: { perTransaction: 60000, perDay: 60000, perWeek: 60000, perMonth: 60000, mode: 'hard' } });
    expect(answer.status).toBe(200);
    await request('PUT', `cards/${cardId}/controls`, {});
  });
});

describe('bad input is a precise 4xx and changes nothing', () => {
  const cases: [string, () => unknown, number, string][] = [
    ['a negative litre limit', () => ({ volume: { perDay: -1, mode: 'hard' } }), 400, '2001'],
    ['a fractional litre limit', () => ({ volume: { perDay: 60000.5, mode: 'hard' } }), 400, '2001'],
    ['an absurd litre limit', () => ({ volume: { perMonth: 5_000_000_000, mode: 'hard' } }), 400, '2001'],
    ['a zero money limit', () => ({ amount: { limits: [{ perDay: xof(0) }], mode: 'hard' } }), 400, '2001'],
    ['a fractional money limit', () => ({ amount: { limits: [{ perDay: xof(10.5) }], mode: 'hard' } }), 400, '2001'],
    ['an absurd transaction count', () => ({ transactions: { perMonth: 1_000_000, mode: 'hard' } }), 400, '2001'],
    ['a limit rule with no period', () => ({ volume: { mode: 'hard' } }), 400, '2001'],
    ['a rule without its mode', () => ({ transactions: { perDay: 2 } }), 400, '2001'],
    ['an unknown mode', () => ({ transactions: { perDay: 2, mode: 'lenient' } }), 400, '2001'],
    ['an unknown rule kind', () => ({ speed: { max: 90, mode: 'hard' } }), 400, '2001'],
    ['an unknown unit', () => ({ amount: { limits: [{ perDay: { value: 1000, unit: 'EUR' } }], mode: 'hard' } }), 404, '3004'],
    ['a unit the profile does not hold', () => ({ amount: { limits: [{ perDay: { value: 100000, unit: 'L-GASOIL' } }], mode: 'hard' } }), 400, '2006'],
    ['one limit in two units', () => ({ amount: { limits: [{ perDay: xof(1000), perWeek: { value: 5000, unit: 'L-GASOIL' } }], mode: 'hard' } }), 400, '2006'],
    ['two limits in one unit', () => ({ amount: { limits: [{ perDay: xof(1000) }, { perWeek: xof(5000) }], mode: 'hard' } }), 400, '2001'],
    ['an unknown energy type', () => ({ products: { energyTypes: ['KEROSENE'], mode: 'hard' } }), 404, '3005'],
    ['a service the profile does not allow', () => ({ products: { services: ['fuel', 'car-wash'], mode: 'hard' } }), 400, '4051'],
    ['energy types without fuel', () => ({ products: { services: ['lubricants'], energyTypes: ['GASOIL'], mode: 'hard' } }), 400, '4051'],
    ['an unknown service', () => ({ products: { services: ['casino'], mode: 'hard' } }), 400, '2001'],
    ['a repeated energy type', () => ({ products: { energyTypes: ['GASOIL', 'GASOIL'], mode: 'hard' } }), 400, '2001'],
    ['an unknown service point', () => ({ locations: { list: 'allow', servicePointIds: ['spt_000000000000000000000000'], mode: 'hard' } }), 404, '3009'],
    ['an unknown network', () => ({ locations: { list: 'deny', networkIds: ['net_000000000000000000000000'], mode: 'hard' } }), 404, '3002'],
    ['a malformed service point id', () => ({ locations: { list: 'allow', servicePointIds: ['STATION-1'], mode: 'hard' } }), 400, '2001'],
    ['an empty location list', () => ({ locations: { list: 'allow', mode: 'hard' } }), 400, '2001'],
    ['an unknown list kind', () => ({ locations: { list: 'maybe', networkIds: [networkId], mode: 'hard' } }), 400, '2001'],
    ['an hour 25', () => ({ schedule: { windows: [{ days: ['mon'], from: '25:00', to: '26:00' }], mode: 'hard' } }), 400, '2001'],
    ['an hour without minutes', () => ({ schedule: { windows: [{ days: ['mon'], from: '6', to: '20:00' }], mode: 'hard' } }), 400, '2001'],
    ['a window ending before it starts', () => ({ schedule: { windows: [{ days: ['mon'], from: '22:00', to: '06:00' }], mode: 'hard' } }), 400, '4052'],
    ['an empty window', () => ({ schedule: { windows: [{ days: ['mon'], from: '08:00', to: '08:00' }], mode: 'hard' } }), 400, '4052'],
    ['an unknown day', () => ({ schedule: { windows: [{ days: ['funday'], from: '08:00', to: '18:00' }], mode: 'hard' } }), 400, '2001'],
    ['a repeated day', () => ({ schedule: { windows: [{ days: ['mon', 'mon'], from: '08:00', to: '18:00' }], mode: 'hard' } }), 400, '2001'],
    ['not an object', () => [1, 2], 400, '2001'],
  ];
  it.each(cases)('when a write has %s, then it is refused on both levels with nothing stored', async (_label, body, status, code) => {
    await request('PUT', `card-profiles/${profileId}/controls`, { transactions: { perDay: 2, mode: 'hard' } });
    for (const path of [`card-profiles/${profileId}/controls`, `cards/${cardId}/controls`]) {
      const before = await stored();
      const answer = await request('PUT', path, body());
      expect([answer.status, answer.body.code]).toEqual([status, code]);
      expectDocumented(path.startsWith('cards') ? 'replaceCardControls' : 'replaceCardProfileControls', status, answer.body);
      expect(await stored()).toEqual(before);
    }
  });

  it('when a window ends at 24:00, then it is accepted', async () => {
    const answer = await request('PUT', `cards/${cardId}/controls`, { schedule: { windows: [{ days: ['fri'], from: '22:00', to: '24:00' }, { days: ['sat'], from: '00:00', to: '06:00' }], mode: 'hard' } });
    expect(answer.status).toBe(200);
    await request('PUT', `cards/${cardId}/controls`, {});
  });
});

describe('unknown ids, E-service cards and scopes', () => {
  it.each([
    ['GET', 'card-profiles/prf_000000000000000000000000/controls', 404, '3007'],
    ['PUT', 'card-profiles/prf_000000000000000000000000/controls', 404, '3007'],
    ['GET', 'cards/crd_000000000000000000000000/controls', 404, '3008'],
    ['PUT', 'cards/crd_000000000000000000000000/controls', 404, '3008'],
    ['GET', 'cards/not-a-card/controls', 400, '2001'],
  ] as const)('when %s %s, then it is %i %s', async (method, path, status, code) => {
    const before = await stored();
    const answer = await request(method, path, method === 'PUT' ? {} : undefined);
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expect(await stored()).toEqual(before);
  });

  it("when an E-service card's controls are read or written, then it is 400 4018", async () => {
    for (const method of ['GET', 'PUT'] as const) {
      const answer = await request(method, `cards/${eserviceCardId}/controls`, method === 'PUT' ? {} : undefined);
      expect([answer.status, answer.body.code]).toEqual([400, '4018']);
    }
  });

  it('when the caller lacks core:controls.write, then it reads but cannot write; without core:controls.read it cannot read', async () => {
    const reader = await server.partner({ scopes: ['core:controls.read', 'core:cards.write', 'core:card-profiles.write'] });
    const readerToken = await server.token(reader.key, reader.secret);
    expect((await request('GET', `cards/${cardId}/controls`, undefined, readerToken)).status).toBe(200);
    const before = await stored();
    for (const path of [`card-profiles/${profileId}/controls`, `cards/${cardId}/controls`]) {
      const refused = await request('PUT', path, {}, readerToken);
      expect([refused.status, refused.body.code]).toEqual([403, '1006']);
    }
    expect(await stored()).toEqual(before);

    const writer = await server.partner({ scopes: ['core:controls.write', 'core:cards.read', 'core:card-profiles.read'] });
    const writerToken = await server.token(writer.key, writer.secret);
    for (const path of [`card-profiles/${profileId}/controls`, `cards/${cardId}/controls`]) {
      const refused = await request('GET', path, undefined, writerToken);
      expect([refused.status, refused.body.code]).toEqual([403, '1006']);
    }
  });
});

describe('service points have a time zone', () => {
  it('when a service point is created without one, then it is Africa/Abidjan; one given is kept and can be changed', async () => {
    const referential = sdk().coreReferential;
    expect((await referential.getServicePoint({ servicePointId })).data.timeZone).toBe('Africa/Abidjan');
    const lagos = (await referential.createServicePoint({ servicePointCreate: { code: 'STATION-LAGOS', name: 'Station Lagos', address: 'Broad Street, Lagos', networkId, timeZone: 'Africa/Lagos' } })).data;
    expect(lagos.timeZone).toBe('Africa/Lagos');
    expect((await referential.updateServicePoint({ servicePointId: lagos.id, servicePointUpdate: { timeZone: 'UTC' } })).data.timeZone).toBe('UTC');
  });

  it.each([['Mars/Olympus_Mons'], ['africa/abidjan'], ['+01:00']])('when the time zone is %s, then it is 400 2001 on /body/timeZone and nothing changes', async (timeZone) => {
    const before = (await sdk().coreReferential.getServicePoint({ servicePointId })).data;
    const answer = await call(`${server.url}/core/v1/service-points/${servicePointId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ timeZone }),
    });
    expect([answer.status, answer.body.code]).toEqual([400, '2001']);
    expect(answer.body.errors.map((error: { path: string }) => error.path)).toContain('/body/timeZone');
    expect((await sdk().coreReferential.getServicePoint({ servicePointId })).data).toEqual(before);
  });
});
