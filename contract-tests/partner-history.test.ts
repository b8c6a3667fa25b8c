/**
 * A contracted card's history (the mini-statement) through the 3rd Party API: operations and
 * declined attempts together, newest first, each operation with the card's balance after it,
 * by cursor pages that do not shift when new activity arrives; another partner's card is 404
 * and another partner's reference stays hidden.
 */
import { randomUUID } from 'node:crypto';
import { CardService, OrderType, type PartnerCardHistoryItem } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, credit, fundFloat, issueCard, newCardProfile, newClient, newNetwork, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
const core = () => server.sdk({ token });
const key = () => randomUUID();

interface Side {
  partnerId: string;
  token: string;
  clientId: string;
  cardId: string;
}
let a: Side;
let b: Side;
let servicePointId: string;
let eServiceCardId: string;
let profileId: string;
let networkId: string;

async function side(name: string, clientCode: string): Promise<Side> {
  const clientId = await newClient(core(), networkId, clientCode, 'Transports Ivoiriens');
  const cardId = (await issueCard(core(), { clientId, profileId })).id;
  const partner = await contractedPartner(server, core(), { name, scopes: ['partner:cards.read'], clientId });
  return { partnerId: partner.id, token: partner.token, clientId, cardId };
}

const pay = (cardId: string, value: number, receiptNumber: string) =>
  core().coreLedger.createPayment({
    idempotencyKey: key(),
    paymentCreate: { cardId, servicePointId, amount: xof(value), service: CardService.Shop, receiptNumber },
  });

/** The whole history of the card, page by page. */
async function history(partner: Side, cardId: string, limit?: number): Promise<PartnerCardHistoryItem[]> {
  const items: PartnerCardHistoryItem[] = [];
  let cursor: string | undefined;
  do {
    const page = (await server.sdk({ token: partner.token }).partner.listPartnerCardHistory({ cardId, limit, cursor })).data;
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

const line = (item: PartnerCardHistoryItem) =>
  item.kind === 'operation'
    ? [item.kind, item.operation?.type, item.operation?.status, item.balanceAfter?.value]
    : [item.kind, item.decline?.code, item.decline?.amount.value];

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  networkId = await newNetwork(core(), 'RES-HIST');
  profileId = await newCardProfile(core(), 'HIST', { validityMonths: 24, monthlyOfflineCap: xof(0), allowedServices: [CardService.Shop] });
  ({ id: servicePointId, cardId: eServiceCardId } = await newStation(core(), networkId, 'STATION-HIST'));
  a = await side('Orange Money', 'HIST-A');
  b = await side('Wave', 'HIST-B'); // the same client name and holder, another client and partner

  const ledger = core().coreLedger;
  await credit(core(), a.cardId, 50000);
  await credit(core(), b.cardId, 50000);
  const payment = (await pay(a.cardId, 7000, 'HIST-1')).data;
  await failure(pay(a.cardId, 900000, 'HIST-2')); // declined: not enough funds
  await fundFloat(core(), b.partnerId, 20000, 'WAVE-FLOAT-H');
  // A float pays only for its partner's contracted clients: Wave is contracted for the client
  // while its voucher is executed, and no longer afterwards.
  const contract = (await core().corePartners.createPartnerContract({ partnerId: b.partnerId, partnerContractCreate: { clientId: a.clientId } })).data;
  const order = (
    await ledger.createOrder({
      idempotencyKey: key(),
      orderCreate: { type: OrderType.Recharge, sourcePartnerId: b.partnerId, lines: [{ cardId: a.cardId, amount: xof(5000) }] },
    })
  ).data;
  await ledger.validateOrder({ orderId: order.id });
  await ledger.executeOrder({ orderId: order.id, idempotencyKey: key() });
  await core().corePartners.endPartnerContract({ partnerId: b.partnerId, contractId: contract.id, partnerContractEnd: { reason: 'Bon exécuté' } });
  await ledger.cancelOperation({ operationId: payment.id, idempotencyKey: key(), cancellationCreate: { reason: 'Erreur de caisse' } });
  await pay(b.cardId, 1000, 'HIST-B-1');
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

describe('the card history', () => {
  it("when a partner reads its card's history, then operations and declines come together, newest first, each operation with the balance after it", async () => {
    const items = await history(a, a.cardId);
    expect(items.map(line)).toEqual([
      ['operation', 'cancellation', 'completed', 55000],
      ['operation', 'recharge', 'completed', 48000], // Wave's float paid it
      ['decline', '4010', 900000],
      ['operation', 'payment', 'cancelled', 43000],
      ['operation', 'regularisation', 'completed', 50000],
    ]);
    const times = items.map((item) => item.at.getTime());
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    expect(items[2].decline).toMatchObject({ cardId: a.cardId, servicePointId, attempt: 'payment', own: false, amount: xof(900000) });
    expect(items[3].operation).toMatchObject({ cardId: a.cardId, servicePointId, receiptNumber: 'HIST-1', cancelledBy: items[0].operation?.id });
    const raw = await fetch(`${server.url}/partner/v1/cards/${a.cardId}/history`, { headers: { authorization: `Bearer ${a.token}` } });
    expectDocumented('listPartnerCardHistory', 200, await raw.json());
  });

  it('when the partner pages with a small limit while new activity arrives, then the later pages do not shift and the new lines come first', async () => {
    const whole = await history(a, a.cardId);
    const partner = server.sdk({ token: a.token }).partner;
    const first = (await partner.listPartnerCardHistory({ cardId: a.cardId, limit: 2 })).data;
    expect(first.items.map(line)).toEqual(whole.slice(0, 2).map(line));
    await pay(a.cardId, 2000, 'HIST-3');
    const second = (await partner.listPartnerCardHistory({ cardId: a.cardId, limit: 2, cursor: first.nextCursor ?? undefined })).data;
    expect(second.items.map(line)).toEqual(whole.slice(2, 4).map(line));
    const third = (await partner.listPartnerCardHistory({ cardId: a.cardId, limit: 2, cursor: second.nextCursor ?? undefined })).data;
    expect([third.items.map(line), third.nextCursor]).toEqual([whole.slice(4).map(line), null]);
    expect((await history(a, a.cardId, 1)).map(line)).toEqual([['operation', 'payment', 'completed', 53000], ...whole.map(line)]);
  });

  it("when another partner's float paid an operation, then its identity and reference are not shown", async () => {
    await server.database.db.query("UPDATE ledger_operations SET external_reference = 'WAVE-REF-H' WHERE partner_id = $1 AND type = 'recharge'", [b.partnerId]);
    const raw = await fetch(`${server.url}/partner/v1/cards/${a.cardId}/history`, { headers: { authorization: `Bearer ${a.token}` } });
    const text = await raw.text();
    for (const hidden of [b.partnerId, 'WAVE-REF-H', 'Wave', 'requestId', '"actor"', 'acc_', 'clientId', 'channel']) expect(text).not.toContain(hidden);
    const recharge = (await history(a, a.cardId)).find((item) => item.operation?.type === 'recharge');
    expect(recharge?.operation).toMatchObject({ own: false, externalReference: null, amount: xof(5000) });
  });

  it("when a partner names another partner's card, an E-service card or an unknown one, then each is the same 404; a bad cursor is 400", async () => {
    const partner = server.sdk({ token: a.token }).partner;
    for (const cardId of [b.cardId, eServiceCardId, 'crd_000000000000000000000000']) {
      const answer = await failure(partner.listPartnerCardHistory({ cardId }));
      expect([answer.status, answer.body.code, answer.body.debugMessage]).toEqual([404, '3008', `No card ${cardId}`]);
      expectDocumented('listPartnerCardHistory', 404, answer.body);
    }
    const wave = await failure(server.sdk({ token: b.token }).partner.listPartnerCardHistory({ cardId: a.cardId }));
    expect([wave.status, wave.body.code]).toEqual([404, '3008']);
    const badCursor = await failure(partner.listPartnerCardHistory({ cardId: a.cardId, cursor: 'MTo5OTk' }));
    expect([badCursor.status, badCursor.body.code]).toEqual([400, '2001']);
  });
});
