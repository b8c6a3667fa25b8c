/**
 * Pay-at-pump authorisations: a hold lowers the available balance, a capture records the
 * payment of what was dispensed and releases the rest, a void releases it all, and expired
 * holds are released by the sweep (once, even with two sweeps racing).
 */
import { randomUUID } from 'node:crypto';
import { CardService } from '../generated/sdk';
import { SYSTEM_ACTORS } from '../src/domain/actor';
import { expireHolds } from '../src/domain/payments/holds';
import { expectDocumented } from './support/contract';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, fundedCard as newFundedCard, newClientWorld, newEnergyType, newStation, xof, type ClientWorld } from './support/world';

let server: TestServer;
let token: string;
let owner: ClientWorld;
let servicePointId: string;
const ledger = () => server.sdk({ token }).coreLedger;
const key = () => randomUUID();

const fundedCard = async (value: number) => (await newFundedCard(server.sdk({ token }), owner, value)).id;
const balances = async (cardId: string) => {
  const [account] = (await ledger().listLedgerAccounts({ cardId })).data.items;
  return { posted: account.posted.value, held: account.held.value, available: account.available.value };
};
const authorize = (cardId: string, value: number, holdSeconds?: number) =>
  ledger().createAuthorization({
    idempotencyKey: key(),
    authorizationCreate: { cardId, servicePointId, amount: xof(value), service: CardService.Fuel, pumpNumber: 2, holdSeconds },
  });

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const core = server.sdk({ token });
  owner = await newClientWorld(core, 'POMPE');
  servicePointId = (await newStation(core, owner.networkId, 'STATION-POMPE')).id;
  await newEnergyType(core, 'SUPER');
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

describe('authorisations', () => {
  it('when a fill is authorised then captured below the hold, then the payment is recorded and the rest released', async () => {
    const cardId = await fundedCard(40000);
    const hold = (await authorize(cardId, 30000)).data;
    expect(hold).toMatchObject({ status: 'open', amount: xof(30000), captured: null, paymentId: null });
    expect(await balances(cardId)).toEqual({ posted: 40000, held: 30000, available: 10000 });
    const sized = (await authorize(cardId, 10001)).data; // the rest of the balance, not more
    expect(sized).toMatchObject({ amount: xof(10000), requested: xof(10001), limitedBy: 'balance', quantityMl: null });
    const nothingLeft = await failure(authorize(cardId, 1));
    expect([nothingLeft.status, nothingLeft.body.code, nothingLeft.body.details.available]).toEqual([409, '4010', xof(0)]);
    const zero = (
      await ledger().captureAuthorization({ authorizationId: sized.id, idempotencyKey: key(), authorizationCapture: { amount: xof(0), receiptNumber: 'P-0' } })
    ).data;
    expect([zero.status, zero.captured, zero.paymentId]).toEqual(['voided', null, null]); // nothing dispensed: released
    expect(await balances(cardId)).toEqual({ posted: 40000, held: 30000, available: 10000 });
    const above = await failure(
      ledger().captureAuthorization({ authorizationId: hold.id, idempotencyKey: key(), authorizationCapture: { amount: xof(30001), receiptNumber: 'P-1' } }),
    );
    expect([above.status, above.body.code]).toEqual([409, '4043']);
    const captured = (
      await ledger().captureAuthorization({
        authorizationId: hold.id,
        idempotencyKey: key(),
        authorizationCapture: { amount: xof(17500), receiptNumber: 'P-1', fuel: { energyTypeCode: 'SUPER', quantityMl: 20000, unitPrice: xof(875) } },
      })
    ).data;
    expect(captured).toMatchObject({ status: 'captured', captured: xof(17500), paymentId: expect.stringMatching(/^op_/) });
    expect(await balances(cardId)).toEqual({ posted: 22500, held: 0, available: 22500 });
    expect((await ledger().getOperation({ operationId: captured.paymentId! })).data).toMatchObject({
      type: 'payment',
      amount: xof(17500),
      receiptNumber: 'P-1',
      pumpNumber: 2,
    });
    const twice = await failure(ledger().voidAuthorization({ authorizationId: hold.id, idempotencyKey: key() }));
    expect([twice.status, twice.body.code]).toEqual([409, '4044']);
    expectDocumented('voidAuthorization', 409, twice.body);
  });

  it('when an authorisation is voided, then its whole hold is released', async () => {
    const cardId = await fundedCard(5000);
    const hold = (await authorize(cardId, 5000)).data;
    expect((await ledger().voidAuthorization({ authorizationId: hold.id, idempotencyKey: key() })).data.status).toBe('voided');
    expect(await balances(cardId)).toEqual({ posted: 5000, held: 0, available: 5000 });
  });

  it('when an authorisation expires, then capture is 4042 and the sweep releases it once, even with two sweeps racing', async () => {
    const cardId = await fundedCard(8000);
    const hold = (await authorize(cardId, 6000, 60)).data;
    await server.database.db.query("UPDATE ledger_holds SET expires_at = now() - interval '1 second' WHERE id = $1", [hold.id]);
    const late = await failure(
      ledger().captureAuthorization({ authorizationId: hold.id, idempotencyKey: key(), authorizationCapture: { amount: xof(100), receiptNumber: 'P-2' } }),
    );
    expect([late.status, late.body.code]).toEqual([409, '4042']);
    const released = await Promise.all([expireHolds(server.database.db, SYSTEM_ACTORS.system), expireHolds(server.database.db, SYSTEM_ACTORS.system)]);
    expect(released.reduce((sum, count) => sum + count, 0)).toBe(1);
    expect((await ledger().getAuthorization({ authorizationId: hold.id })).data.status).toBe('expired');
    expect(await balances(cardId)).toEqual({ posted: 8000, held: 0, available: 8000 });
    const events = await server.database.db.query<{ type: string }>('SELECT type FROM events WHERE resource_id = $1 ORDER BY seq', [hold.id]);
    expect(events.map((event) => event.type)).toEqual(['hold.created', 'hold.expired']);
  });

  it('when the card may not buy the service or is suspended, then the authorisation is refused and nothing is held', async () => {
    const cardId = await fundedCard(1000);
    const shop = await failure(
      ledger().createAuthorization({ idempotencyKey: key(), authorizationCreate: { cardId, servicePointId, amount: xof(100), service: CardService.Shop } }),
    );
    expect([shop.status, shop.body.code]).toEqual([409, '4015']);
    await server.sdk({ token }).coreCards.suspendCard({ cardId, cardTransitionRequest: { reason: 'contrôle' } });
    const suspended = await failure(authorize(cardId, 100));
    expect([suspended.status, suspended.body.code]).toEqual([409, '4011']);
    expect(await balances(cardId)).toEqual({ posted: 1000, held: 0, available: 1000 });
    const missing = await failure(ledger().getAuthorization({ authorizationId: 'hld_000000000000000000000000' }));
    expect([missing.status, missing.body.code]).toEqual([404, '3014']);
  });

  it('when a payment is made while a hold is open, then it is checked against the available balance, not the posted one', async () => {
    const cardId = await fundedCard(10000);
    await authorize(cardId, 8000);
    const refused = await failure(
      ledger().createPayment({
        idempotencyKey: key(),
        paymentCreate: {
          cardId,
          servicePointId,
          amount: xof(3000),
          service: CardService.Fuel,
          fuel: { energyTypeCode: 'SUPER', quantityMl: 3429, unitPrice: xof(875) },
          receiptNumber: 'P-3',
        },
      }),
    );
    expect([refused.status, refused.body.code, refused.body.details.available]).toEqual([409, '4010', xof(2000)]);
  });
});
