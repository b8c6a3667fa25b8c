/** Core API: spending controls on card profiles (defaults) and cards (overrides), with the source of each effective rule. */
import { randomUUID } from 'node:crypto';
import { CardService } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { call, type Answer } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, fundedCard, issueCard, newCardProfile, newClient, newEnergyType, newNetwork, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
let networkId: string;
let servicePointId: string;
let profileId: string;
let cardId: string;
let eserviceCardId: string;
let clientId: string;
const sdk = () => server.sdk({ token });

const request = (method: 'GET' | 'PUT', path: string, body?: unknown, bearer = token): Promise<Answer> =>
  call(`${server.url}/core/v1/${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

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
const stored = async () =>
  JSON.stringify([
    await server.database.db.query('SELECT * FROM card_profile_controls ORDER BY profile_id'),
    await server.database.db.query('SELECT * FROM card_controls ORDER BY card_id'),
    await server.database.db.query('SELECT count(*)::int AS n FROM audit_events'),
  ]);

async function newProfile(code: string): Promise<string> {
  return newCardProfile(sdk(), code, {
    label: `Profil ${code}`,
    validityMonths: 36,
    monthlyOfflineCap: xof(200000),
    allowedServices: [CardService.Fuel, CardService.Lubricants],
  });
}

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const referential = sdk().coreReferential;
  networkId = await newNetwork(sdk(), 'RES-CONTROLES');
  clientId = await newClient(sdk(), networkId, 'FLOTTE-CTRL');
  await newEnergyType(sdk(), 'GASOIL', 675);
  await referential.createUnit({ unitCreate: { code: 'L-GASOIL', label: 'Litre de gasoil', kind: 'volume', scale: 3, energyTypeCode: 'GASOIL' } });
  const station = await newStation(sdk(), networkId, 'STATION-CTRL');
  servicePointId = station.id;
  eserviceCardId = station.cardId;
  profileId = await newProfile('PROFIL-CTRL');
  cardId = (await issueCard(sdk(), { clientId, profileId })).id;
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

const NONE = {
  amount: { source: 'none' },
  volume: { source: 'none' },
  transactions: { source: 'none' },
  products: { source: 'none' },
  locations: { source: 'none' },
  schedule: { source: 'none' },
  fillInterval: { source: 'none' },
};

describe('controls of a card profile and of its cards', () => {
  it('when nothing is set, then both levels answer empty controls, every effective rule from none', async () => {
    const profile = await newProfile('PROFIL-VIDE');
    expect((await sdk().coreCards.getCardProfileControls({ profileId: profile })).data).toEqual({
      profileId: profile,
      controls: {},
      effective: NONE,
      updatedAt: null,
    });
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
    const overrides = {
      volume: { perTransaction: 80000, perDay: 80000, perWeek: 600000, mode: 'soft' },
      locations: { list: 'deny', servicePointIds: [servicePointId], mode: 'hard' },
    };
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
    expect(audit.map((event: { before: unknown; after: unknown }) => [event.before, event.after])).toEqual([
      [{}, overrides],
      [overrides, {}],
    ]);
  });
});

describe('an inconsistent write is refused with the offending pair, and nothing is stored', () => {
  it.each([
    [
      'money per day above per week',
      { amount: { limits: [{ perDay: xof(200000), perWeek: xof(150000) }], mode: 'hard' } },
      [['/body/amount/limits/0/perDay', 'perWeek']],
    ],
    [
      'money per transaction above per month',
      { amount: { limits: [{ perTransaction: xof(90000), perMonth: xof(80000) }], mode: 'soft' } },
      [['/body/amount/limits/0/perTransaction', 'perMonth']],
    ],
    ['litres per transaction above per day', { volume: { perTransaction: 70000, perDay: 60000, mode: 'hard' } }, [['/body/volume/perTransaction', 'perDay']]],
    ['litres per week above per month', { volume: { perWeek: 500000, perMonth: 400000, mode: 'hard' } }, [['/body/volume/perWeek', 'perMonth']]],
    ['transactions per day above per week', { transactions: { perDay: 8, perWeek: 5, mode: 'soft' } }, [['/body/transactions/perDay', 'perWeek']]],
    ['transactions per week above per month', { transactions: { perWeek: 40, perMonth: 30, mode: 'hard' } }, [['/body/transactions/perWeek', 'perMonth']]],
    [
      'two pairs at once',
      { volume: { perTransaction: 90000, perDay: 80000, perWeek: 70000, mode: 'hard' } },
      [
        ['/body/volume/perTransaction', 'perDay'],
        ['/body/volume/perTransaction', 'perWeek'],
        ['/body/volume/perDay', 'perWeek'],
      ],
    ],
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

  const PERIODS = ['perTransaction', 'perDay', 'perWeek', 'perMonth'] as const;
  const pairs = (periods: readonly string[]) => periods.flatMap((shorter, i) => periods.slice(i + 1).map((longer) => [shorter, longer] as const));
  const everyPair = [
    ...pairs(PERIODS).map(
      ([shorter, longer]) =>
        [
          'amount',
          shorter,
          longer,
          { amount: { limits: [{ [shorter]: xof(2000), [longer]: xof(1000) }], mode: 'hard' } },
          `/body/amount/limits/0/${shorter}`,
        ] as const,
    ),
    ...pairs(PERIODS).map(
      ([shorter, longer]) => ['volume', shorter, longer, { volume: { [shorter]: 2000, [longer]: 1000, mode: 'soft' } }, `/body/volume/${shorter}`] as const,
    ),
    ...pairs(PERIODS.slice(1)).map(
      ([shorter, longer]) =>
        ['transactions', shorter, longer, { transactions: { [shorter]: 2, [longer]: 1, mode: 'hard' } }, `/body/transactions/${shorter}`] as const,
    ),
  ];
  it.each(everyPair)('when %s %s is above %s, then the card write is 400 4050 naming that pair', async (_measure, _shorter, longer, body, path) => {
    const before = await stored();
    const answer = await request('PUT', `cards/${cardId}/controls`, body);
    expect([answer.status, answer.body.code]).toEqual([400, '4050']);
    expect(answer.body.errors).toEqual([{ path, message: expect.stringContaining(`more than ${longer}`) }]);
    expect(await stored()).toEqual(before);
  });

  it('when equal limits follow each other, then they are consistent', async () => {
    const answer = await request('PUT', `cards/${cardId}/controls`, {
      volume: { perTransaction: 60000, perDay: 60000, perWeek: 60000, perMonth: 60000, mode: 'hard' },
    });
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
    const answer = await request('PUT', `cards/${cardId}/controls`, {
      schedule: {
        windows: [
          { days: ['fri'], from: '22:00', to: '24:00' },
          { days: ['sat'], from: '00:00', to: '06:00' },
        ],
        mode: 'hard',
      },
    });
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
    const lagos = (
      await referential.createServicePoint({
        servicePointCreate: { code: 'STATION-LAGOS', name: 'Station Lagos', address: 'Broad Street, Lagos', networkId, timeZone: 'Africa/Lagos' },
      })
    ).data;
    expect(lagos.timeZone).toBe('Africa/Lagos');
    expect((await referential.updateServicePoint({ servicePointId: lagos.id, servicePointUpdate: { timeZone: 'UTC' } })).data.timeZone).toBe('UTC');
  });

  it.each([
    ['Mars/Olympus_Mons', '4160'],
    ['africa/abidjan', '2001'],
    ['+01:00', '2001'],
  ])('when the time zone is %s, then it is 400 %s on /body/timeZone and nothing changes', async (timeZone, code) => {
    const before = (await sdk().coreReferential.getServicePoint({ servicePointId })).data;
    const answer = await call(`${server.url}/core/v1/service-points/${servicePointId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ timeZone }),
    });
    expect([answer.status, answer.body.code]).toEqual([400, code]);
    expect(answer.body.errors.map((error: { path: string }) => error.path)).toContain('/body/timeZone');
    expect((await sdk().coreReferential.getServicePoint({ servicePointId })).data).toEqual(before);
  });
});

describe('remaining allowances', () => {
  const allowances = async (card: string, at?: string) => {
    const answer = await request('GET', `cards/${card}/allowances${at ? `?at=${encodeURIComponent(at)}` : ''}`);
    expect(answer.status).toBe(200);
    expectDocumented('getCardAllowances', 200, answer.body);
    return answer.body.data as {
      at: string;
      timeZone: string;
      items: {
        measure: string;
        unit?: string;
        period: string;
        source: string;
        mode: string;
        limit: number;
        used: number;
        held: number;
        remaining: number;
        periodStart: string | null;
        resetsAt: string | null;
      }[];
    };
  };
  const row = (data: Awaited<ReturnType<typeof allowances>>, measure: string, period: string) =>
    data.items.find((item) => item.measure === measure && item.period === period);
  const pay = async (card: string, litres: number) =>
    (
      await sdk().coreLedger.createPayment({
        idempotencyKey: randomUUID(),
        paymentCreate: {
          cardId: card,
          servicePointId,
          amount: xof(litres * 675),
          service: CardService.Fuel,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(675) },
          receiptNumber: `R-${randomUUID()}`,
        },
      })
    ).data;

  it('when a card has paid across a day, a week and a month boundary, then each limit shows its use, what remains and when it resets', async () => {
    const profile = await newProfile('PROFIL-CONSO');
    await request('PUT', `card-profiles/${profile}/controls`, {
      amount: { limits: [{ perTransaction: xof(50000), perDay: xof(100000), perWeek: xof(200000) }], mode: 'hard' },
      volume: { perDay: 100000, perMonth: 1000000, mode: 'soft' },
    });
    const card = (await fundedCard(sdk(), { clientId, profileId: profile }, 500000)).id;
    await request('PUT', `cards/${card}/controls`, { transactions: { perDay: 3, perMonth: 20, mode: 'hard' } });
    const wednesday = await pay(card, 40); // 27000 XOF, Wednesday 25 November 23:30
    const thursday = await pay(card, 20); // 13500 XOF, Thursday 26 November 00:30
    await server.database.db.query("UPDATE ledger_operations SET created_at = '2026-11-25T23:30:00Z' WHERE id = $1", [wednesday.id]);
    await server.database.db.query("UPDATE ledger_operations SET created_at = '2026-11-26T00:30:00Z' WHERE id = $1", [thursday.id]);

    const noon = await allowances(card, '2026-11-26T12:00:00Z');
    expect(noon).toMatchObject({ at: '2026-11-26T12:00:00.000Z', timeZone: 'Africa/Abidjan' });
    expect(noon.items.map((item) => `${item.measure}/${item.period}`)).toEqual([
      'amount/transaction',
      'amount/day',
      'volume/day',
      'transactions/day',
      'amount/week',
      'volume/month',
      'transactions/month',
    ]);
    expect(row(noon, 'amount', 'transaction')).toEqual({
      measure: 'amount',
      unit: 'XOF',
      scale: 0,
      period: 'transaction',
      source: 'profile',
      mode: 'hard',
      limit: 50000,
      used: 0,
      held: 0,
      remaining: 50000,
      periodStart: null,
      resetsAt: null,
    });
    expect(noon.items.map((item) => `${item.measure}/${item.period}`).sort()).toEqual([
      'amount/day',
      'amount/transaction',
      'amount/week',
      'transactions/day',
      'transactions/month',
      'volume/day',
      'volume/month',
    ]);
    expect(row(noon, 'amount', 'day')).toEqual({
      measure: 'amount',
      unit: 'XOF',
      scale: 0,
      period: 'day',
      source: 'profile',
      mode: 'hard',
      limit: 100000,
      used: 13500,
      held: 0,
      remaining: 86500,
      periodStart: '2026-11-26T00:00:00.000Z',
      resetsAt: '2026-11-27T00:00:00.000Z',
    });
    expect(row(noon, 'amount', 'week')).toMatchObject({
      used: 40500,
      remaining: 159500,
      periodStart: '2026-11-23T00:00:00.000Z',
      resetsAt: '2026-11-30T00:00:00.000Z',
    });
    expect(row(noon, 'volume', 'day')).toMatchObject({ source: 'profile', mode: 'soft', limit: 100000, used: 20000, remaining: 80000 });
    expect(row(noon, 'volume', 'month')).toMatchObject({
      used: 60000,
      remaining: 940000,
      periodStart: '2026-11-01T00:00:00.000Z',
      resetsAt: '2026-12-01T00:00:00.000Z',
    });
    expect(row(noon, 'transactions', 'day')).toMatchObject({ source: 'card', limit: 3, used: 1, remaining: 2 });
    expect(row(noon, 'transactions', 'month')).toMatchObject({ used: 2, remaining: 18 });

    const beforeMidnight = await allowances(card, '2026-11-25T23:45:00Z');
    expect(row(beforeMidnight, 'amount', 'day')).toMatchObject({ used: 27000, periodStart: '2026-11-25T00:00:00.000Z' });
    expect(row(beforeMidnight, 'amount', 'week')).toMatchObject({ used: 27000 });

    const nextMonday = await allowances(card, '2026-11-30T00:00:00Z');
    expect(row(nextMonday, 'amount', 'week')).toMatchObject({
      used: 0,
      remaining: 200000,
      periodStart: '2026-11-30T00:00:00.000Z',
      resetsAt: '2026-12-07T00:00:00.000Z',
    });
    expect(row(nextMonday, 'volume', 'month')).toMatchObject({ used: 60000 });
    const december = await allowances(card, '2026-12-01T00:00:00Z');
    expect(row(december, 'volume', 'month')).toMatchObject({ used: 0, periodStart: '2026-12-01T00:00:00.000Z', resetsAt: '2027-01-01T00:00:00.000Z' });
  });

  it('when a payment is cancelled, it no longer counts; an open authorisation counts as held; a limit cannot go below zero', async () => {
    const profile = await newProfile('PROFIL-RESTE');
    await request('PUT', `card-profiles/${profile}/controls`, {
      amount: { limits: [{ perDay: xof(30000) }], mode: 'soft' },
      transactions: { perDay: 2, mode: 'soft' },
    });
    const card = (await fundedCard(sdk(), { clientId, profileId: profile }, 500000)).id;
    const cancelled = await pay(card, 10);
    await sdk().coreLedger.cancelOperation({
      operationId: cancelled.id,
      idempotencyKey: randomUUID(),
      cancellationCreate: { reason: 'Ticket saisi par erreur' },
    });
    await pay(card, 40); // 27000 XOF
    await sdk().coreLedger.createAuthorization({
      idempotencyKey: randomUUID(),
      authorizationCreate: { cardId: card, servicePointId, amount: xof(10000), service: CardService.Fuel },
    });
    const now = await allowances(card);
    expect(row(now, 'amount', 'day')).toMatchObject({ limit: 30000, used: 27000, held: 10000, remaining: 0 });
    expect(row(now, 'transactions', 'day')).toMatchObject({ limit: 2, used: 1, held: 1, remaining: 0 });
  });

  it('when a card has only a per-transaction limit, then that limit is its one allowance; with no limit, none; unknown and E-service cards are refused', async () => {
    const profile = await newProfile('PROFIL-LIBRE-CONSO');
    const card = (await issueCard(sdk(), { clientId, profileId: profile })).id;
    expect((await allowances(card)).items).toEqual([]);
    await request('PUT', `cards/${card}/controls`, { volume: { perTransaction: 60000, mode: 'hard' } });
    expect((await allowances(card)).items).toEqual([
      {
        measure: 'volume',
        period: 'transaction',
        source: 'card',
        mode: 'hard',
        limit: 60000,
        used: 0,
        held: 0,
        remaining: 60000,
        periodStart: null,
        resetsAt: null,
      },
    ]);
    const unknown = await request('GET', 'cards/crd_000000000000000000000000/allowances');
    expect([unknown.status, unknown.body.code]).toEqual([404, '3008']);
    const eservice = await request('GET', `cards/${eserviceCardId}/allowances`);
    expect([eservice.status, eservice.body.code]).toEqual([400, '4018']);
    const badInstant = await request('GET', `cards/${card}/allowances?at=yesterday`);
    expect([badInstant.status, badInstant.body.code]).toEqual([400, '2001']);
  });
});
