/**
 * Migration 013 on a ledger made before it: an E-service card's account that kept its balance
 * on its row, with each entry recording the balance after it, becomes one whose balance is the
 * sum of its entries; the balances read do not change and the invariants hold. Its events
 * lose their per-card numbers; a member card's keep theirs.
 */
import { randomUUID } from 'node:crypto';
import { CardService } from '../generated/sdk';
import { migrationFiles } from '../src/db/migrate';
import { startTestServer, type TestServer } from './support/server';
import { expectLedgerHolds, fundedCard, newClientWorld, newStation, xof } from './support/world';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

/** The ledger as migrations 010 to 012 left it: every card's balance on its row, every card's events numbered. */
const BEFORE_013 = `
  ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_summed_balance, DROP CONSTRAINT ledger_accounts_stored_balance_bounded;
  UPDATE ledger_accounts a SET posted = t.total, version = t.n
    FROM (SELECT account_id, sum(amount) AS total, count(*) AS n FROM ledger_entries GROUP BY account_id) t
   WHERE t.account_id = a.id AND a.kind = 'card' AND NOT a.stored_balance;
  UPDATE ledger_entries e SET balance_after = r.running, version_after = r.n
    FROM (SELECT x.seq, sum(x.amount) OVER w AS running, row_number() OVER w AS n
            FROM ledger_entries x JOIN ledger_accounts a ON a.id = x.account_id
           WHERE a.kind = 'card' AND NOT a.stored_balance WINDOW w AS (PARTITION BY x.account_id ORDER BY x.seq)) r
   WHERE r.seq = e.seq;
  ALTER TABLE ledger_accounts DROP COLUMN stored_balance;
  ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_check4 CHECK (non_negative OR (posted = 0 AND held = 0 AND version = 0));
  ALTER TABLE events DROP CONSTRAINT events_card_sequence_has_card;
  UPDATE events e SET card_sequence = r.n FROM (SELECT seq, row_number() OVER (PARTITION BY card_id ORDER BY seq) AS n FROM events WHERE card_id IS NOT NULL AND card_sequence IS NULL) r WHERE r.seq = e.seq;
  ALTER TABLE events ADD CONSTRAINT events_check CHECK ((card_id IS NULL) = (card_sequence IS NULL));
`;

it('when migration 013 runs on E-service accounts that kept their balance, then their balances are summed, unchanged, and the ledger holds', async () => {
  const token = await server.coreToken();
  const sdk = server.sdk({ token });
  const owner = await newClientWorld(sdk, 'M013', { validityMonths: 24, monthlyOfflineCap: xof(50000), allowedServices: [CardService.Shop] });
  const point = await newStation(sdk, owner.networkId, 'STATION-013');
  const cardId = (await fundedCard(sdk, owner, 5000)).id;
  for (const value of [700, 800]) {
    await sdk.coreLedger.createPayment({
      idempotencyKey: randomUUID(),
      paymentCreate: { cardId, servicePointId: point.id, amount: xof(value), service: CardService.Shop, receiptNumber: randomUUID() },
    });
  }
  const station = point.cardId;
  const balances = async () => [(await sdk.coreCards.getCard({ cardId: station })).data.balances, (await sdk.coreCards.getCard({ cardId })).data.balances];
  const readBefore = await balances();
  expect(readBefore[0]).toEqual([xof(1500)]);

  const db = server.database.db;
  await db.exec(BEFORE_013);
  const [old] = await db.query<{ posted: string; version: string }>('SELECT posted::text, version::text FROM ledger_accounts WHERE card_id = $1', [station]);
  expect(old).toEqual({ posted: '1500', version: '2' }); // the state 013 meets
  await db.exec(migrationFiles().find((file) => file.name === '013_eservice_balances.sql')!.sql);

  const rows = await db.query<{ card_id: string; stored_balance: boolean; posted: string; version: string }>(
    'SELECT card_id, stored_balance, posted::text, version::text FROM ledger_accounts WHERE card_id = ANY($1) ORDER BY card_id = $2',
    [[cardId, station], station],
  );
  expect(rows).toEqual([
    { card_id: cardId, stored_balance: true, posted: '3500', version: '3' },
    { card_id: station, stored_balance: false, posted: '0', version: '0' },
  ]);
  expect(await balances()).toEqual(readBefore);
  const sequences = await db.query<{ card_id: string; card_sequence: string | null }>(
    'SELECT card_id, card_sequence::text FROM events WHERE card_id = ANY($1) ORDER BY seq',
    [[cardId, station]],
  );
  expect(sequences.filter((row) => row.card_id === station).map((row) => row.card_sequence)).toEqual([null, null]);
  expect(sequences.filter((row) => row.card_id === cardId).map((row) => row.card_sequence)).toEqual(['1', '2', '3']);
  await expectLedgerHolds(db);
});
