/** Core API: card profiles, card issue, lookup, queries and the lifecycle state machine. */
import { oauthScopes } from '../generated/operations';
import { CardService, RechargeMode, type CardProfileCreate } from '../generated/sdk';
import { isValidCardNumber } from '../src/domain/cards/card-numbers';
import { expectDocumented } from './support/contract';
import { call, failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { newClient, newNetwork } from './support/world';

let server: TestServer;
let token: string;
let clientId: string;
let profileId: string;
const cards = () => server.sdk({ token }).coreCards;
const referential = () => server.sdk({ token }).coreReferential;
const holder = { name: 'Konan Kouadio', phone: '+2250707080910' };
const profileInput = (code: string): CardProfileCreate => ({
  code,
  label: `Profil ${code}`,
  validityMonths: 36,
  rechargeMode: RechargeMode.Manual,
  monthlyOfflineCap: { value: 200000, unit: 'XOF' },
  allowedServices: [CardService.Fuel, CardService.Lubricants],
  allowedUnits: ['XOF'],
});
const issue = async (overrides: { clientId?: string; profileId?: string } = {}) =>
  (await cards().issueCard({ cardIssue: { clientId, profileId, holder, ...overrides } })).data;
/** Every stored column of every card-related table, as text. */
const dump = async () =>
  JSON.stringify(await server.database.db.query('SELECT c.*, t.* FROM cards c LEFT JOIN card_transitions t ON t.card_id = c.id')) +
  JSON.stringify(await server.database.db.query('SELECT * FROM audit_events'));

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  clientId = await newClient(server.sdk({ token }), await newNetwork(server.sdk({ token }), 'RES-CARTES'), 'SOTRA');
  profileId = (await cards().createCardProfile({ cardProfileCreate: profileInput('FLOTTE-STANDARD') })).data.id;
});
afterAll(() => server.stop());

describe('card profiles', () => {
  it('when a profile is created, updated and read, then it holds the latest values', async () => {
    const created = (await cards().createCardProfile({ cardProfileCreate: profileInput('PROFIL-MAJ') })).data;
    const updated = (
      await cards().updateCardProfile({ profileId: created.id, cardProfileUpdate: { monthlyOfflineCap: { value: 250000, unit: 'XOF' }, validityMonths: 24 } })
    ).data;
    expect(updated).toMatchObject({ code: 'PROFIL-MAJ', validityMonths: 24, monthlyOfflineCap: { value: 250000, unit: 'XOF' }, allowedUnits: ['XOF'] });
    expect((await cards().getCardProfile({ profileId: created.id })).data).toEqual(updated);
    const listed = (await cards().listCardProfiles({ limit: 100 })).data.items;
    expect(listed.map((profile) => profile.code)).toEqual(expect.arrayContaining(['FLOTTE-STANDARD', 'PROFIL-MAJ']));
  });

  it.each([
    ['an unknown unit', { allowedUnits: ['XOF', 'L-INCONNU'] }, 404, '3004'],
    ['a cap outside the allowed units', { monthlyOfflineCap: { value: 100, unit: 'L-GASOIL' } }, 400, '2006'],
    ['a taken code', { code: 'FLOTTE-STANDARD' }, 409, '4002'],
    ['a repeated service', { allowedServices: [CardService.Fuel, CardService.Fuel] }, 400, '2001'],
  ])('when a profile has %s, then it is refused with a precise code', async (_label, patch, status, code) => {
    const answer = await failure(cards().createCardProfile({ cardProfileCreate: { ...profileInput('PROFIL-REFUSE'), ...patch } }));
    expect([answer.status, answer.body.code]).toEqual([status, code]);
  });

  it('when a profile is used by a card, then it cannot be deleted; unused, it can', async () => {
    const used = (await cards().createCardProfile({ cardProfileCreate: profileInput('PROFIL-UTILISE') })).data;
    await issue({ profileId: used.id });
    const refused = await failure(cards().deleteCardProfile({ profileId: used.id }));
    expect([refused.status, refused.body.code]).toEqual([409, '4005']);
    expectDocumented('deleteCardProfile', 409, refused.body);

    const unused = (await cards().createCardProfile({ cardProfileCreate: profileInput('PROFIL-LIBRE') })).data;
    expect((await cards().deleteCardProfile({ profileId: unused.id })).data).toEqual({ id: unused.id, deleted: true });
    const gone = await failure(cards().getCardProfile({ profileId: unused.id }));
    expect([gone.status, gone.body.code]).toEqual([404, '3007']);
  });
});

describe('issuing a card', () => {
  it('when a caller holding core:cards.reveal issues a card, then it sees the number once, valid and masked everywhere else', async () => {
    const issued = await issue();
    expect(issued.number).toMatch(/^707070[0-9]{10}$/);
    expect(isValidCardNumber(issued.number!)).toBe(true);
    expect(issued.maskedNumber).toBe(`${issued.number!.slice(0, 6)}******${issued.number!.slice(-4)}`);
    expect(issued).toMatchObject({ kind: 'member', servicePointId: null, status: 'active', balances: [{ value: 0, unit: 'XOF' }], holder, cancellation: null });
    const years = (new Date(issued.expiresAt!).getTime() - new Date(issued.createdAt).getTime()) / (365.25 * 24 * 3600_000);
    expect(years).toBeCloseTo(3, 1);

    const read = await call(`${server.url}/core/v1/cards/${issued.id}`, { headers: { authorization: `Bearer ${token}` } });
    const listed = await call(`${server.url}/core/v1/cards?clientId=${clientId}`, { headers: { authorization: `Bearer ${token}` } });
    for (const answer of [read, listed]) expect(answer.text).not.toContain(issued.number);
    expect(read.body.data).not.toHaveProperty('number');
    expect(await dump()).not.toContain(issued.number);
  });

  it('when the caller lacks core:cards.reveal, then even the issuing answer shows no number', async () => {
    const scopes = Object.keys(oauthScopes).filter((scope) => scope !== 'core:cards.reveal');
    const partner = await server.partner({ name: 'Guichet', scopes });
    const guichet = await server.token(partner.key, partner.secret);
    const issued = (await server.sdk({ token: guichet }).coreCards.issueCard({ cardIssue: { clientId, profileId, holder } })).data;
    expect(issued.number).toBeUndefined();
    expect(issued.maskedNumber).toMatch(/^707070\*{6}[0-9]{4}$/);
  });

  it('when a card is looked up by its number, then the same card comes back; a bad check digit is 400, an unknown number 404', async () => {
    const issued = await issue();
    expect((await cards().lookupCard({ cardLookup: { cardNumber: issued.number! } })).data.id).toBe(issued.id);

    const lastDigit = Number(issued.number!.slice(-1));
    const badCheck = await failure(cards().lookupCard({ cardLookup: { cardNumber: issued.number!.slice(0, 15) + String((lastDigit + 1) % 10) } }));
    expect([badCheck.status, badCheck.body.code]).toEqual([400, '2009']);
    expect(badCheck.text).not.toContain(issued.number!.slice(6, 12));

    const unknown = await failure(cards().lookupCard({ cardLookup: { cardNumber: '4539578763621486' } }));
    expect([unknown.status, unknown.body.code]).toEqual([404, '3008']);
    expect(unknown.text).not.toContain('4539578763621486');
  });

  it.each([
    ['an inactive client', 'inactive', 409, '4004'],
    ['an unknown client', 'unknown-client', 404, '3003'],
    ['an unknown profile', 'unknown-profile', 404, '3007'],
  ])('when issuing for %s, then it is refused and no card is made', async (_label, situation, status, code) => {
    const network = (await referential().listNetworks({})).data.items[0];
    let overrides: { clientId?: string; profileId?: string };
    if (situation === 'inactive') {
      const client = (await referential().createClient({ clientCreate: { networkId: network.id, code: `INACTIF-${Date.now()}`, name: 'Client inactif' } }))
        .data;
      await referential().deactivateClient({ clientId: client.id });
      overrides = { clientId: client.id };
    } else if (situation === 'unknown-client') overrides = { clientId: 'cli_000000000000000000000000' };
    else overrides = { profileId: 'prf_000000000000000000000000' };
    const [before] = await server.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cards');
    const answer = await failure(cards().issueCard({ cardIssue: { clientId, profileId, holder, ...overrides } }));
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expect(await server.database.db.query('SELECT count(*)::int AS n FROM cards')).toEqual([before]);
  });

  it('when the holder phone is not E.164, then it is 400 on /body/holder/phone', async () => {
    const answer = await call(`${server.url}/core/v1/cards`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ clientId, profileId, holder: { name: 'X', phone: '07 07 08 09 10' } }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((error: { path: string }) => error.path)).toContain('/body/holder/phone');
  });
});

type Action = 'suspend' | 'reactivate' | 'oppose' | 'cancel';
const act = (cardId: string, action: Action) => {
  switch (action) {
    case 'suspend':
      return cards().suspendCard({ cardId, cardTransitionRequest: { reason: 'Suspension demandée' } });
    case 'reactivate':
      return cards().reactivateCard({ cardId, cardTransitionRequest: { reason: 'Levée de suspension' } });
    case 'oppose':
      return cards().opposeCard({ cardId, cardOppositionRequest: { reason: 'stolen', comment: 'Vol déclaré' } });
    case 'cancel':
      return cards().cancelCard({ cardId, cardCancellationRequest: { reason: 'Véhicule vendu' } });
  }
};
/** Brings a new card to a status through allowed transitions (or by expiry). */
async function cardIn(status: 'active' | 'suspended' | 'opposed' | 'cancelled' | 'expired'): Promise<string> {
  const { id } = await issue();
  if (status === 'suspended') await act(id, 'suspend');
  if (status === 'opposed') await act(id, 'oppose');
  if (status === 'cancelled') await act(id, 'cancel');
  if (status === 'expired') await server.database.db.query(`UPDATE cards SET expires_at = now() - interval '1 day' WHERE id = $1`, [id]);
  return id;
}

describe('the card lifecycle', () => {
  it.each([
    ['active', 'suspend', 'suspended'],
    ['suspended', 'reactivate', 'active'],
    ['active', 'oppose', 'opposed'],
    ['suspended', 'oppose', 'opposed'],
    ['expired', 'oppose', 'opposed'],
    ['active', 'cancel', 'cancelled'],
    ['suspended', 'cancel', 'cancelled'],
    ['opposed', 'cancel', 'cancelled'],
    ['expired', 'cancel', 'cancelled'],
  ] as const)('when a card is %s, then %s makes it %s', async (from, action, to) => {
    const id = await cardIn(from);
    expect((await act(id, action)).data.status).toBe(to);
  });

  it.each([
    ['active', 'reactivate'],
    ['suspended', 'suspend'],
    ['opposed', 'suspend'],
    ['opposed', 'reactivate'],
    ['opposed', 'oppose'],
    ['cancelled', 'suspend'],
    ['cancelled', 'reactivate'],
    ['cancelled', 'oppose'],
    ['cancelled', 'cancel'],
    ['expired', 'suspend'],
    ['expired', 'reactivate'],
  ] as const)('when a card is %s, then %s is 409 4006 and nothing changes', async (from, action) => {
    const id = await cardIn(from);
    const before = await cards().getCard({ cardId: id });
    const transitions = await cards().listCardTransitions({ cardId: id });
    const answer = await failure(act(id, action));
    expect([answer.status, answer.body.code]).toEqual([409, '4006']);
    expectDocumented(`${action}Card`, 409, answer.body);
    expect(await cards().getCard({ cardId: id })).toEqual(before);
    expect(await cards().listCardTransitions({ cardId: id })).toEqual(transitions);
  });

  it('when a card is opposed then cancelled, then each transition records actor, channel, reason, comment and request id, and the cancellation who and why', async () => {
    const id = await cardIn('active');
    const opposed = await cards().opposeCardRaw({ cardId: id, cardOppositionRequest: { reason: 'lost', comment: 'Perdue au péage' } });
    const requestId = opposed.raw.headers.get('x-request-id');
    const cancelled = (await act(id, 'cancel')).data;
    expect(cancelled.cancellation).toMatchObject({ by: { name: 'Back-office CYNOD' }, reason: 'Véhicule vendu' });

    const transitions = (await cards().listCardTransitions({ cardId: id })).data.items;
    expect(transitions.map((transition) => [transition.from, transition.to, transition.reason])).toEqual([
      [null, 'active', 'issued'],
      ['active', 'opposed', 'lost'],
      ['opposed', 'cancelled', 'Véhicule vendu'],
    ]);
    expect(transitions[1]).toMatchObject({ comment: 'Perdue au péage', channel: 'api', requestId, actor: { name: 'Back-office CYNOD' } });
  });

  it('when two transitions race on one card, then exactly one applies', async () => {
    const id = await cardIn('active');
    const results = await Promise.allSettled([act(id, 'suspend'), act(id, 'suspend'), act(id, 'suspend'), act(id, 'suspend')]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect((await cards().listCardTransitions({ cardId: id })).data.items).toHaveLength(2);
  });
});

describe("the issuer setting a card's expiry", () => {
  const setExpiry = (cardId: string, cardExpiryChange: { expiresAt?: Date; reason: string }) => cards().setCardExpiry({ cardId, cardExpiryChange });
  const inMonths = (months: number) => {
    const at = new Date();
    at.setUTCMonth(at.getUTCMonth() + months);
    return at;
  };
  const statusEvents = async (cardId: string) =>
    (
      await server.database.db.query<{ data: { from: string; to: string; reason: string } }>(
        `SELECT data FROM events WHERE card_id = $1 AND type = 'card.status-changed' ORDER BY card_sequence`,
        [cardId],
      )
    ).map((row) => [row.data.from, row.data.to, row.data.reason]);

  it('when an active card is expired now, then it reads expired, its partners get card.status-changed, the audit trail has it, and expiring it again is 409 4006', async () => {
    const id = await cardIn('active');
    const expired = (await setExpiry(id, { reason: "Carte retirée par l'émetteur" })).data;
    expect(expired.status).toBe('expired');
    expect(new Date(expired.expiresAt as Date).getTime()).toBeLessThanOrEqual(Date.now());
    expect((await cards().getCard({ cardId: id })).data.status).toBe('expired');
    expect(await statusEvents(id)).toEqual([['active', 'expired', "Carte retirée par l'émetteur"]]);
    const [audit] = await server.database.db.query<{ action: string }>(
      `SELECT action FROM audit_events WHERE resource_id = $1 AND action = 'card.expiry-changed'`,
      [id],
    );
    expect(audit).toBeDefined();
    const again = await failure(setExpiry(id, { reason: 'Encore' }));
    expect([again.status, again.body.code]).toEqual([409, '4006']);
    expectDocumented('setCardExpiry', 409, again.body);
  });

  it('when an expired card is renewed, then it is back to the status it had (active, suspended) with one event; renewing an active card changes its date and sends none', async () => {
    const suspended = await cardIn('suspended');
    await setExpiry(suspended, { reason: 'Fin de validité' });
    const renewedAt = inMonths(24);
    const renewed = (await setExpiry(suspended, { expiresAt: renewedAt, reason: 'Renouvellement' })).data;
    expect(renewed).toMatchObject({ status: 'suspended', expiresAt: renewedAt });
    expect(await statusEvents(suspended)).toEqual([
      ['active', 'suspended', 'Suspension demandée'],
      ['suspended', 'expired', 'Fin de validité'],
      ['expired', 'suspended', 'Renouvellement'],
    ]);
    const active = await cardIn('active');
    const shortened = inMonths(6);
    expect((await setExpiry(active, { expiresAt: shortened, reason: 'Validité raccourcie' })).data).toMatchObject({ status: 'active', expiresAt: shortened });
    expect(await statusEvents(active)).toEqual([]);
  });

  it.each([
    ['in the past', () => new Date(Date.now() - 60_000)],
    ['now', () => new Date(Date.now() - 1000)],
    ['beyond 120 months', () => inMonths(121)],
  ])('when the new date is %s, then it is 400 4225 and nothing changes', async (_label, date) => {
    const id = await cardIn('active');
    const before = await cards().getCard({ cardId: id });
    const answer = await failure(setExpiry(id, { expiresAt: date(), reason: 'Renouvellement' }));
    expect([answer.status, answer.body.code]).toEqual([400, '4225']);
    expectDocumented('setCardExpiry', 400, answer.body);
    expect(await cards().getCard({ cardId: id })).toEqual(before);
  });

  it.each(['opposed', 'cancelled'] as const)('when the card is %s, then renewing and expiring it are 409 4006', async (status) => {
    const id = await cardIn(status);
    for (const change of [{ expiresAt: inMonths(12), reason: 'Renouvellement' }, { reason: 'Expiration' }]) {
      const answer = await failure(setExpiry(id, change));
      expect([answer.status, answer.body.code]).toEqual([409, '4006']);
    }
  });
});

describe('card queries', () => {
  it('when cards are listed with filters, then only the matching ones come, numbers masked', async () => {
    const network = (await referential().listNetworks({})).data.items[0];
    const fleet = (await referential().createClient({ clientCreate: { networkId: network.id, code: 'FLOTTE-FILTRE', name: 'Flotte filtrée' } })).data.id;
    const otherProfile = (await cards().createCardProfile({ cardProfileCreate: { ...profileInput('PROFIL-FILTRE'), validityMonths: 12 } })).data.id;
    const a = await issue({ clientId: fleet });
    const b = await issue({ clientId: fleet, profileId: otherProfile });
    const c = (await cards().issueCard({ cardIssue: { clientId: fleet, profileId, holder: { name: 'Awa Traoré', phone: '+2250101010101' } } })).data;
    await act(b.id, 'suspend');
    await server.database.db.query(`UPDATE cards SET expires_at = now() - interval '1 hour' WHERE id = $1`, [c.id]);

    const ids = async (query: Parameters<ReturnType<typeof cards>['listCards']>[0]) =>
      (await cards().listCards({ clientId: fleet, ...query })).data.items.map((card) => card.id);
    expect(await ids({})).toEqual([a.id, b.id, c.id]);
    expect(await ids({ status: 'active' })).toEqual([a.id]);
    expect(await ids({ status: 'suspended' })).toEqual([b.id]);
    expect(await ids({ status: 'expired' })).toEqual([c.id]);
    expect(await ids({ profileId: otherProfile })).toEqual([b.id]);
    expect(await ids({ holderPhone: '+2250101010101' })).toEqual([c.id]);
    expect(await ids({ expiresBefore: new Date(Date.now() + 400 * 24 * 3600_000) })).toEqual([b.id, c.id]);
    expect(await ids({ expiresAfter: new Date(Date.now() + 400 * 24 * 3600_000) })).toEqual([a.id]);
  });

  it('when a card id is unknown, then reading it is 404 3008', async () => {
    const answer = await failure(cards().getCard({ cardId: 'crd_000000000000000000000000' }));
    expect([answer.status, answer.body.code]).toEqual([404, '3008']);
  });
});
