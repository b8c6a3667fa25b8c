/**
 * The events feed's plan on PostgreSQL with a realistic table: 200,000 events over 2,000 cards
 * of 200 other clients, a third of them naming another partner. A partner's page reads its own
 * cards' events and its own operations through their indexes, never every event.
 */
import { partnerEventsQuery } from '../src/domain/gateway/events';
import { usingPostgres } from './support/database';
import { startTestServer, type TestServer } from './support/server';
import { contractedPartner, fundedCard, newCardProfile, newClient, newNetwork, xof } from './support/world';

let server: TestServer;
let partnerId: string;

/** Copies of a table's row `id`, the columns in `overrides` (SQL over the series number `n`) replaced, `seq` new. */
async function cloneRows(table: string, id: string, count: number, overrides: Record<string, string>): Promise<void> {
  const columns = (
    await server.database.db.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema() AND column_name <> 'seq' AND is_generated = 'NEVER' ORDER BY ordinal_position",
      [table],
    )
  ).map((row) => row.column_name);
  const values = columns.map((column) => overrides[column] ?? `t.${column}`);
  await server.database.db.query(
    `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${values.join(', ')} FROM ${table} t, generate_series(1, ${count}) n WHERE t.id = $1`,
    [id],
  );
}

(usingPostgres() ? describe : describe.skip)('the events feed plan (PostgreSQL)', () => {
  beforeAll(async () => {
    server = await startTestServer();
    const sdk = server.sdk({ token: await server.coreToken() });
    const networkId = await newNetwork(sdk, 'RES-PLAN', 'Plan');
    const profileId = await newCardProfile(sdk, 'PLAN', { validityMonths: 24, monthlyOfflineCap: xof(0) });
    const card = async (code: string) => {
      const clientId = await newClient(sdk, networkId, code);
      return { clientId, cardId: (await fundedCard(sdk, { clientId, profileId }, 1000)).id };
    };
    const mine = await card('PLAN-MINE');
    const other = await card('PLAN-OTHER');
    partnerId = (await contractedPartner(server, sdk, { name: 'Plan', scopes: ['partner:events.read'], clientId: mine.clientId })).id;

    await cloneRows('clients', other.clientId, 200, { id: `'cli_plan' || n`, code: `'PLAN-' || n` });
    await cloneRows('cards', other.cardId, 2000, {
      id: `'crd_plan' || n`,
      number_hash: `'hash' || n`,
      client_id: `'cli_plan' || (n % 200 + 1)`,
      event_sequence: '100',
    });
    const [event] = await server.database.db.query<{ id: string; resource_id: string }>('SELECT id, resource_id FROM events WHERE card_id = $1', [
      other.cardId,
    ]);
    const [wave] = await server.database.db.query<{ id: string }>('SELECT id FROM partners WHERE id <> $1 LIMIT 1', [partnerId]);
    await cloneRows('events', event.id, 200_000, {
      id: `'evt_plan' || n`,
      card_id: `'crd_plan' || (n % 2000 + 1)`,
      card_sequence: 'n / 2000 + 1',
      resource_id: `'op_plan' || n`,
      partner_id: `CASE WHEN n % 3 = 0 THEN '${wave.id}' END`,
    });
    await server.database.db.query('ANALYZE');
  });
  afterAll(() => server?.stop());

  it.each([
    ['the first page', 0, {}],
    ['a catch-up from a recent cursor', 190_000, {}],
    ['a page of one card', 0, { cardId: 'crd_plan7' }],
    ['a page of one type', 0, { type: 'card.status-changed' as const }],
  ])('when a partner asks for %s, then no statement scans the events', async (_name, after, filters) => {
    const [{ xact }] = await server.database.db.query<{ xact: string }>('SELECT max(xact)::text AS xact FROM events');
    const query = partnerEventsQuery(partnerId, filters, after === 0 ? { xact: '0', seq: '0' } : { xact, seq: String(after) }, 21);
    const plan = (await server.database.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query.text}`, query.values)).map((row) => row['QUERY PLAN']).join('\n');
    if (process.env.SHOW_PLAN) console.log(plan);
    expect(plan).not.toMatch(/Seq Scan on events/);
  });
});
