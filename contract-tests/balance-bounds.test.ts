/**
 * Balances the contract cannot show: an amount is at most 10^12 either way,
 * and so is every balance the API shows. Offline fills (booked whatever the balance) could take
 * a card below -10^12 and the station's summed E-service card above 10^12, after which every
 * read showing them answered 500, and a fill that would pass the bound answered 500 for the
 * whole upload. A posting that would leave an account outside the bounds is refused (4110),
 * the rest of the upload booked, and the reads keep answering.
 */
import { randomUUID } from 'node:crypto';
import { CardService, RegularisationCreateDirectionEnum, type OfflineFill } from '../generated/sdk';
import { amountBounds } from '../generated/operations';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, issueCard, newClientWorld, newStation, xof, type ClientWorld } from './support/world';

let server: TestServer;
let token: string;
let owner: ClientWorld;
let sequence = 0;
const MAX = amountBounds.maximum;
const sdk = () => server.sdk({ token });
const newCard = async () => (await issueCard(sdk(), owner)).id;
const nextStation = async () => {
  sequence += 1;
  return (await newStation(sdk(), owner.networkId, `STATION-BORNE-${sequence}`)).id;
};
const fill = (cardId: string, value: number): OfflineFill => {
  sequence += 1;
  return {
    terminalTransactionId: `TPE-B-${sequence}`,
    occurredAt: new Date(),
    cardId,
    amount: xof(value),
    service: CardService.Shop,
    receiptNumber: `B-${sequence}`,
  };
};
const upload = (servicePointId: string, fills: OfflineFill[]) =>
  sdk().coreLedger.uploadOfflineFills({ servicePointId, offlineFillBatch: { terminalId: 'TPE-B', fills } });

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  owner = await newClientWorld(sdk(), 'BORNES', { monthlyOfflineCap: xof(MAX), allowedServices: [CardService.Shop] });
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

describe('when offline fills would take a card below -10^12', () => {
  it('then the fill that would pass the bound is refused with 4110, the others booked, and every read of the card still answers', async () => {
    const cardId = await newCard();
    const servicePointId = await nextStation();
    const { data } = await upload(servicePointId, [fill(cardId, MAX), fill(cardId, 1), fill(cardId, 2)]);
    expect(data.results.map((result) => [result.status, result.error?.code ?? null, result.balanceAfter])).toEqual([
      ['booked', null, xof(-MAX)],
      ['refused', '4110', null],
      ['refused', '4110', null],
    ]);
    expect((await sdk().coreLedger.listLedgerAccounts({ cardId })).data.items[0].posted).toEqual(xof(-MAX));
    expect((await sdk().coreCards.getCard({ cardId })).data.id).toBe(cardId);
    expect((await sdk().coreLedger.listOperations({ cardId })).data.items).toHaveLength(1);
  });
});

describe("when offline fills would take the station's summed E-service card above 10^12", () => {
  it('then the fill that would pass the bound is refused with 4110, and the station and its E-service card still read', async () => {
    const servicePointId = await nextStation();
    const [first, second] = [await newCard(), await newCard()];
    const { data } = await upload(servicePointId, [fill(first, MAX), fill(second, 1)]);
    expect(data.results.map((result) => [result.status, result.error?.code ?? null])).toEqual([
      ['booked', null],
      ['refused', '4110'],
    ]);
    const station = (await sdk().coreReferential.getServicePoint({ servicePointId })).data;
    const [account] = (await sdk().coreLedger.listLedgerAccounts({ cardId: station.eServiceCard.id })).data.items;
    expect(account.posted).toEqual(xof(MAX));
    expect((await sdk().coreLedger.listLedgerAccounts({ cardId: second })).data.items[0]?.posted ?? xof(0)).toEqual(xof(0));
  });
});

describe('when a credit would take a card above 10^12', () => {
  it('then the regularisation is refused 409 with 4110 and nothing moves', async () => {
    const cardId = await newCard();
    await sdk().coreLedger.createRegularisation({
      idempotencyKey: randomUUID(),
      regularisationCreate: { cardId, direction: RegularisationCreateDirectionEnum.Credit, amount: xof(MAX), reason: 'Plafond' },
    });
    const refused = await failure(
      sdk().coreLedger.createRegularisation({
        idempotencyKey: randomUUID(),
        regularisationCreate: { cardId, direction: RegularisationCreateDirectionEnum.Credit, amount: xof(1), reason: 'Au-delà' },
      }),
    );
    expect([refused.status, refused.body.code]).toEqual([409, '4110']);
    expect((await sdk().coreLedger.listLedgerAccounts({ cardId })).data.items[0].posted).toEqual(xof(MAX));
  });
});

describe("when a float funding would take a partner's float above 10^12", () => {
  it('then it is refused 409 with 4110 (the float is written last, before COMMIT) and the float stays as it was', async () => {
    const partner = await server.partner({ name: 'Partenaire plafond', scopes: ['partner:profile.read'] });
    const fund = (value: number, reference: string) =>
      sdk().coreLedger.createFloatFunding({
        idempotencyKey: randomUUID(),
        floatFundingCreate: { partnerId: partner.id, amount: xof(value), externalReference: reference },
      });
    await fund(MAX - 5, 'VIR-BORNE-1');
    const refused = await failure(fund(6, 'VIR-BORNE-2'));
    expect([refused.status, refused.body.code]).toEqual([409, '4110']);
    expect((await sdk().coreLedger.listLedgerAccounts({ partnerId: partner.id })).data.items[0].posted).toEqual(xof(MAX - 5));
    await fund(5, 'VIR-BORNE-3');
  });
});
