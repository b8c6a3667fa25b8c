/**
 * Migration 023 on refusals stored before it: a refusal for funds (4010) kept among a card's
 * declines, and kept as an idempotency key's answer, gets the kind of the account it names
 * (details.account), so that both still answer as the contract says: the decline list, and the
 * retry that replays the refusal.
 */
import { randomUUID } from 'node:crypto';
import { CardService } from '../generated/sdk';
import { migrationFiles } from '../src/db/migrate';
import { expectDocumented } from './support/contract';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { issueCard, newClientWorld, newStation, xof } from './support/world';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

/** The stored refusals as they were before 023: without details.account. */
const BEFORE_023 = `
  UPDATE card_declines SET details = details - 'account' WHERE details ? 'bound';
  UPDATE idempotency_keys SET answer = answer #- '{refusal,details,account}' WHERE answer -> 'refusal' -> 'details' ? 'bound';
`;

it('when migration 023 runs on refusals for funds stored without the account kind, then declines and replays answer it again', async () => {
  const sdk = server.sdk({ token: await server.coreToken() });
  const owner = await newClientWorld(sdk, 'M023', { validityMonths: 24, monthlyOfflineCap: xof(50000), allowedServices: [CardService.Shop] });
  const servicePointId = (await newStation(sdk, owner.networkId, 'STATION-023')).id;
  const cardId = (await issueCard(sdk, owner)).id;
  const idempotencyKey = randomUUID();
  const pay = () =>
    failure(
      sdk.coreLedger.createPayment({
        idempotencyKey,
        paymentCreate: { cardId, servicePointId, amount: xof(700), service: CardService.Shop, receiptNumber: 'R-023' },
      }),
    );
  const refused = await pay();
  expect([refused.status, refused.body.code, refused.body.details?.account]).toEqual([409, '4010', 'card']);

  const db = server.database.db;
  await db.exec(BEFORE_023);
  const stripped = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM card_declines WHERE card_id = $1 AND NOT details ? 'account'", [cardId]);
  expect(stripped).toEqual([{ n: '1' }]); // the state 023 meets
  await db.exec(migrationFiles().find((file) => file.name === '023_funds_details_account.sql')!.sql);

  const declines = (await sdk.coreCards.listCardDeclines({ cardId })).data.items;
  expect(declines.map((decline) => decline.details)).toEqual([refused.body.details]);
  const replayed = await pay();
  expect([replayed.status, replayed.headers.get('idempotent-replayed'), replayed.body.details]).toEqual([409, 'true', refused.body.details]);
  expectDocumented('createPayment', 409, replayed.body);
});
