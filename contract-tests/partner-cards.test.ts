/**
 * Partner contracts (Core API) and the 3rd Party API's cards: a partner reads the cards of the
 * clients it is contracted for, and another partner's card, an E-service card or an ended
 * contract's card answer exactly like an unknown card.
 */
import { randomUUID } from 'node:crypto';
import { CardService } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, fundedCard, newCardProfile, newClient, newNetwork, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
const sdk = () => server.sdk({ token });

interface Side {
  partnerId: string;
  token: string;
  clientId: string;
  cardId: string;
  cardNumber: string;
}
let a: Side;
let b: Side;
let servicePointId: string;
let eServiceCardId: string;
let profileId: string;
let networkId: string;

async function side(name: string, clientCode: string): Promise<Side> {
  const clientId = await newClient(sdk(), networkId, clientCode, 'Transports Ivoiriens');
  const issued = await fundedCard(sdk(), { clientId, profileId }, 45000, { name: 'Konan  Kouadio Yao', phone: '+2250707080910' });
  const partner = await contractedPartner(server, sdk(), { name, scopes: ['partner:cards.read', 'partner:profile.read'], clientId });
  return { partnerId: partner.id, token: partner.token, clientId, cardId: issued.id, cardNumber: issued.number };
}

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  networkId = await newNetwork(sdk(), 'RES-PART');
  profileId = await newCardProfile(sdk(), 'PART', { validityMonths: 24, monthlyOfflineCap: xof(0) });
  ({ id: servicePointId, cardId: eServiceCardId } = await newStation(sdk(), networkId, 'STATION-PART'));
  a = await side('Orange Money', 'CLIENT-A');
  b = await side('Wave', 'CLIENT-B'); // the same holder name and phone, another client and partner
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

describe('partner contracts (Core API)', () => {
  it('when a contract is created twice, ended, and ended again, then each step answers as documented and is audited', async () => {
    const partners = sdk().corePartners;
    const contract = (await partners.createPartnerContract({ partnerId: a.partnerId, partnerContractCreate: { servicePointId } })).data;
    expect(contract).toMatchObject({ partnerId: a.partnerId, clientId: null, servicePointId, status: 'active', endedAt: null, endReason: null });
    const twice = await failure(partners.createPartnerContract({ partnerId: a.partnerId, partnerContractCreate: { servicePointId } }));
    expect([twice.status, twice.body.code]).toEqual([409, '4063']);
    expectDocumented('createPartnerContract', 409, twice.body);
    const ended = (await partners.endPartnerContract({ partnerId: a.partnerId, contractId: contract.id, partnerContractEnd: { reason: 'Fin du pilote' } }))
      .data;
    expect(ended).toMatchObject({ status: 'ended', endReason: 'Fin du pilote', endedAt: expect.any(Date) });
    const again = await failure(
      partners.endPartnerContract({ partnerId: a.partnerId, contractId: contract.id, partnerContractEnd: { reason: 'Fin du pilote' } }),
    );
    expect([again.status, again.body.code]).toEqual([409, '4064']);
    const foreign = await failure(
      partners.endPartnerContract({ partnerId: b.partnerId, contractId: contract.id, partnerContractEnd: { reason: 'Fin du pilote' } }),
    );
    expect([foreign.status, foreign.body.code]).toEqual([404, '3020']);
    expect((await partners.listPartnerContracts({ partnerId: a.partnerId, status: 'ended' })).data.items.map((item) => item.id)).toEqual([contract.id]);
    expect((await partners.listPartnerContracts({ partnerId: a.partnerId, status: 'active' })).data.items.map((item) => item.clientId)).toEqual([a.clientId]);
    const audit = (await sdk().coreAudit.listAuditEvents({ resourceId: contract.id })).data.items.map((item) => item.action);
    expect(audit).toEqual(['partner-contract.created', 'partner-contract.ended']);
  });

  it.each([
    ['both a client and a service point', () => ({ clientId: a.clientId, servicePointId }), 400, '2001'],
    ['neither', () => ({}), 400, '2001'],
    ['an unknown client', () => ({ clientId: 'cli_000000000000000000000000' }), 404, '3003'],
    ['an unknown service point', () => ({ servicePointId: 'spt_000000000000000000000000' }), 404, '3009'],
  ])('when a contract names %s, then it is refused and nothing is stored', async (_name, body, status, code) => {
    const before = (await sdk().corePartners.listPartnerContracts({ partnerId: b.partnerId })).data.items.length;
    const refused = await failure(sdk().corePartners.createPartnerContract({ partnerId: b.partnerId, partnerContractCreate: body() }));
    expect([refused.status, refused.body.code]).toEqual([status, code]);
    expect((await sdk().corePartners.listPartnerContracts({ partnerId: b.partnerId })).data.items.length).toBe(before);
  });

  it('when the partner is unknown, then contracts answer 404 3011', async () => {
    const unknown = await failure(sdk().corePartners.listPartnerContracts({ partnerId: 'ptn_000000000000000000000000' }));
    expect([unknown.status, unknown.body.code]).toEqual([404, '3011']);
  });
});

describe('the 3rd Party API cards', () => {
  it("when a partner looks its client's card up by number and reads it, then it sees the status, expiry, first name and posted and available balances", async () => {
    await sdk().coreLedger.createAuthorization({
      idempotencyKey: randomUUID(),
      authorizationCreate: { cardId: a.cardId, servicePointId, amount: xof(15000), service: CardService.Fuel },
    });
    const found = (await server.sdk({ token: a.token }).partner.lookupPartnerCard({ cardLookup: { cardNumber: a.cardNumber } })).data;
    expect(found).toEqual({
      id: a.cardId,
      maskedNumber: `${a.cardNumber.slice(0, 6)}******${a.cardNumber.slice(-4)}`,
      status: 'active',
      expiresAt: expect.any(Date),
      holderFirstName: 'Konan',
      balances: [{ unit: 'XOF', scale: 0, posted: 45000, available: 30000 }],
    });
    expect((await server.sdk({ token: a.token }).partner.getPartnerCard({ cardId: a.cardId })).data).toEqual(found);
    expect((await server.sdk({ token: a.token }).partner.getPartnerCardAllowances({ cardId: a.cardId })).data).toMatchObject({ cardId: a.cardId, items: [] });
  });

  it("when a partner names another partner's card, an E-service card or an unknown one, then each is the same 404", async () => {
    const partner = server.sdk({ token: a.token }).partner;
    const answers = await Promise.all([b.cardId, eServiceCardId, 'crd_000000000000000000000000'].map((cardId) => failure(partner.getPartnerCard({ cardId }))));
    for (const [index, cardId] of [b.cardId, eServiceCardId, 'crd_000000000000000000000000'].entries()) {
      expect([answers[index].status, answers[index].body.code, answers[index].body.message, answers[index].body.debugMessage]).toEqual([
        404,
        '3008',
        'Carte introuvable',
        `No card ${cardId}`,
      ]);
      expectDocumented('getPartnerCard', 404, answers[index].body);
      const allowances = await failure(partner.getPartnerCardAllowances({ cardId }));
      expect([allowances.status, allowances.body.code]).toEqual([404, '3008']);
    }
    const byNumber = await failure(partner.lookupPartnerCard({ cardLookup: { cardNumber: b.cardNumber } }));
    const unknownNumber = await failure(partner.lookupPartnerCard({ cardLookup: { cardNumber: '7070700000000005' } }));
    expect(byNumber.body).toEqual({ ...unknownNumber.body, requestId: byNumber.body.requestId });
    expect([byNumber.status, byNumber.body.code]).toEqual([404, '3008']);
  });

  it("when the card was declined, then the partner lists the attempt with its figures but not who made it; another partner's card is 404", async () => {
    const refused = await failure(
      sdk().coreLedger.createPayment({
        idempotencyKey: randomUUID(),
        paymentCreate: { cardId: a.cardId, servicePointId, amount: xof(900000), service: CardService.Shop, receiptNumber: 'DCL-1' },
      }),
    );
    expect(refused.body.code).toBe('4015'); // the profile allows fuel only
    const [decline, ...more] = (await server.sdk({ token: a.token }).partner.listPartnerCardDeclines({ cardId: a.cardId })).data.items;
    expect(more).toEqual([]);
    expect(decline).toEqual({
      id: expect.stringMatching(/^dcl_/),
      cardId: a.cardId,
      servicePointId,
      attempt: 'payment',
      own: false,
      code: '4015',
      rule: null,
      message: 'Service non autorisé pour cette carte',
      debugMessage: expect.any(String),
      amount: xof(900000),
      service: 'shop',
      energyTypeCode: null,
      quantityMl: null,
      details: null,
      createdAt: expect.any(Date),
    });
    const foreign = await failure(server.sdk({ token: a.token }).partner.listPartnerCardDeclines({ cardId: b.cardId }));
    expect([foreign.status, foreign.body.code]).toEqual([404, '3008']);
  });

  it('when the contract ends, then its cards answer 404; without partner:cards.read the partner is refused 403', async () => {
    const side = await (async () => {
      const partner = await server.partner({ name: 'MTN MoMo', scopes: ['partner:cards.read'] });
      const contract = (await sdk().corePartners.createPartnerContract({ partnerId: partner.id, partnerContractCreate: { clientId: a.clientId } })).data;
      return { partner, contract, token: await server.token(partner.key, partner.secret) };
    })();
    expect((await server.sdk({ token: side.token }).partner.getPartnerCard({ cardId: a.cardId })).data.id).toBe(a.cardId);
    await sdk().corePartners.endPartnerContract({ partnerId: side.partner.id, contractId: side.contract.id, partnerContractEnd: { reason: 'Résiliation' } });
    const gone = await failure(server.sdk({ token: side.token }).partner.getPartnerCard({ cardId: a.cardId }));
    expect([gone.status, gone.body.code]).toEqual([404, '3008']);
    const profileOnly = await server.partner({ name: 'Sans cartes', scopes: ['partner:profile.read'] });
    const forbidden = await failure(
      server.sdk({ token: await server.token(profileOnly.key, profileOnly.secret) }).partner.getPartnerCard({ cardId: a.cardId }),
    );
    expect([forbidden.status, forbidden.body.code]).toEqual([403, '1006']);
  });
});
