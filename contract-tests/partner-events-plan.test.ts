/**
 * The events feed's plan on PostgreSQL with a realistic table: 200,000 events over 2,000 cards
 * of 200 other clients, a third of them naming another partner. A partner's page reads its own
 * cards' events and its own operations through their indexes, never every event.
 */
import { randomUUID } from 'node:crypto';
import { CardService, RechargeMode } from '../generated/sdk';
import { partnerEventsQuery } from '../src/domain/partners/partner-events';
import { usingPostgres } from './support/database';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let partnerId: string;
const xof = (value: number) => ({ value, unit: 'XOF' });

/** Copies of a table's row `id`, the columns in `overrides` (SQL over the series number `n`) replaced, `seq` new. */
async function cloneRows(table: string, id: string, count: number, overrides: Record<string, string>): Promise<void> {
  const columns = (await server.database.db.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema() AND column_name <> 'seq' AND is_generated = 'NEVER' ORDER BY ordinal_position", [table],
  )).map((row) => row.column_name);
  const values = columns.map((column) => overrides[column] ?? `t.${column}`);
  await server.database.db.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${values.join(', ')} FROM ${table} t, generate_series(1, ${count}) n WHERE t.id = $1`, [id]);
}

(usingPostgres() ? describe : describe.skip)('the events feed plan (PostgreSQL)', () => {
  beforeAll(async () => {
    server = await startTestServer();
    const sdk = server.sdk({ token: await server.coreToken() });
    const networkId = (await sdk.coreReferential.createNetwork({ networkCreate: { code: 'RES-PLAN', name: 'Plan' } })).data.id;
    const profileId = (await sdk.coreCards.createCardProfile({
      cardProfileCreate: { code: 'PLAN', label: 'Plan', validityMonths: 24, rechargeMode: RechargeMode.Manual, monthlyOfflineCap: xof(0), allowedServices: [CardService.Fuel], allowedUnits: ['XOF'] },
    })).data.id;
    const card = async (code: string) => {
      const clientId = (await sdk.coreReferential.createClient({ clientCreate: { networkId, code, name: code } })).data.id;
      const cardId = (await sdk.coreCards.issueCard({ cardIssue: { clientId, profileId, holder: { name: 'Awa Traoré', phone: '+2250101010101' } } })).data.id;
      await sdk.coreLedger.createRegularisation({ idempotencyKey: randomUUID(), regularisationCreate: { cardId, direction: 'credit', amount: xof(1000), reason: 'Solde de départ' } });
      return { clientId, cardId };
    };
    const mine = await card('PLAN-MINE');
    const other = await card('PLAN-OTHER');
    partnerId = (await server.partner({ name: 'Plan', scopes: ['partner:events.read'] })).id;
    await sdk.corePartners.createPartnerContract({ partnerId, partnerContractCreate: { clientId: mine.clientId } });

    await cloneRows('clients', other.clientId, 200, { id: `'cli_plan' || n`, code: `'PLAN-' || n` });
    await cloneRows('cards', other.cardId, 2000, { id: `'crd_plan' || n`, number_hash: `'hash' || n`, client_id: `'cli_plan' || (n % 200 + 1)`, event_sequence: '100' });
    const [event] = await server.database.db.query<{ id: string; resource_id: string }>('SELECT id, resource_id FROM events WHERE card_id = $1', [other.cardId]);
    const [wave] = await server.database.db.query<{ id: string }>('SELECT id FROM partners WHERE id <> $1 LIMIT 1', [partnerId]);
    await cloneRows('events', event.id, 200_000, {
      id: `'evt_plan' || n`, card_id: `'crd_plan' || (n % 2000 + 1)`, card_sequence: 'n / 2000 + 1', resource_id: `'op_plan' || n`, partner_id: `CASE WHEN n % 3 = 0 THEN '${wave.id}' END`,
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
    const query = partnerEventsQuery(partnerId, filters, after, 21);
    const plan = (await server.database.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query.text}`, query.values)).map((row) => row['QUERY PLAN']).join('\n');
    if (process.env.SHOW_PLAN) console.log(plan);
    expect(plan).not.toMatch(/Seq Scan on events/);
  });
});
