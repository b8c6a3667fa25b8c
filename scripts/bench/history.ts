/**
 * A ledger with a history, built by SQL in minutes rather than through the API: the bench
 * measures the read and payment scenarios on it beside the same scenarios on a fresh ledger
 * (BENCH_HISTORY_CARDS), to show that their cost does not grow with history.
 *
 * Each history card gets a credit, then PAYMENTS_PER_CARD payments spread over the fixture's
 * service points: ENTRIES_PER_CARD entries a card, and the stations' E-service cards a share
 * of every payment. The rows are copies of a template made through the API first (a card
 * credited once and paid once at a template station), so that every column holds what the
 * API writes: the copies get their own ids, accounts, receipt numbers, times in the past year,
 * balances and versions that follow from their entries, per-card event sequences, and their
 * events' payloads with the template's ids replaced (the balance figures in those payloads are
 * the template's). Not copied: the audit trail, card transitions and idempotency keys.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { bearerToken, coreCall, type Credentials, type LedgerFixture, payment, xof } from './fixture';

const PAYMENTS_PER_CARD = 4;
/** A credit and PAYMENTS_PER_CARD payments, two entries each. */
export const ENTRIES_PER_CARD = 2 * (1 + PAYMENTS_PER_CARD);
/** History cards per client company (each client a copy of the fixture's). */
const CARDS_PER_CLIENT = 1000;
/** What the template card (and so each history card) is credited with. */
const CREDIT = 1_000_000;

/** Connections that load the history side by side, each its share of the cards (the machines have 2 cores). */
const LOAD_CONNECTIONS = 2;
/** The tables the history is loaded into. */
const LOADED_TABLES = ['clients', 'cards', 'ledger_accounts', 'ledger_operations', 'ledger_entries', 'events'];
/** The references between the rows loaded (table, column, referenced table by id), checked after the load. */
const FOREIGN_KEYS: [string, string, string][] = [
  ['cards', 'client_id', 'clients'],
  ['ledger_accounts', 'card_id', 'cards'],
  ['ledger_operations', 'debit_account_id', 'ledger_accounts'],
  ['ledger_operations', 'credit_account_id', 'ledger_accounts'],
  ['ledger_operations', 'service_point_id', 'service_points'],
  ['ledger_entries', 'operation_id', 'ledger_operations'],
  ['ledger_entries', 'account_id', 'ledger_accounts'],
  ['events', 'card_id', 'cards'],
];

/** What the history is copied from: rows made through the API. */
export interface HistoryTemplate {
  cardId: string;
  servicePointId: string;
  creditId: string;
  paymentId: string;
}

/** Makes the template through the API: a card of the fixture's client, credited once, paid once at a station of its own. */
export async function historyTemplate(url: string, core: Credentials, ledger: LedgerFixture): Promise<HistoryTemplate> {
  const token = await bearerToken(url, core);
  const call = <T>(method: 'GET' | 'POST', path: string, body?: object, key?: string) => coreCall<T>(url, token, method, path, body, key);
  const fixtureCard = await call<{ clientId: string; profileId: string }>('GET', `/core/v1/cards/${ledger.cards[0]}`);
  const fixtureStation = await call<{ networkId: string }>('GET', `/core/v1/service-points/${ledger.servicePoints[0]}`);
  const station = await call<{ id: string }>('POST', '/core/v1/service-points', {
    code: 'STATION-HISTORY',
    name: 'Station du modèle d’historique',
    address: 'Plateau, Abidjan',
    networkId: fixtureStation.networkId,
  });
  const card = await call<{ id: string }>('POST', '/core/v1/cards', {
    clientId: fixtureCard.clientId,
    profileId: fixtureCard.profileId,
    holder: { name: 'Porteur modèle', phone: '+2250707080912' },
  });
  const run = randomBytes(4).toString('hex');
  const credit = await call<{ id: string }>(
    'POST',
    '/core/v1/regularisations',
    { cardId: card.id, direction: 'credit', amount: xof(CREDIT), reason: 'Modèle d’historique' },
    `history-${run}`,
  );
  const paid = await call<{ id: string }>('POST', '/core/v1/payments', payment(card.id, station.id, `HISTORY-${run}`), `history-${run}-payment`);
  return { cardId: card.id, servicePointId: station.id, creditId: credit.id, paymentId: paid.id };
}

/** The columns an INSERT copies: not the generated ones, nor those numbered by a sequence or stamped with the transaction. */
async function copiedColumns(client: Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ column_name: string; column_default: string | null; is_generated: string }>(
    `SELECT column_name, column_default, is_generated FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  if (rows.length === 0) throw new Error(`history: no table ${table}`);
  return rows.filter((row) => row.is_generated !== 'ALWAYS' && !/nextval\(|pg_current_xact_id/.test(row.column_default ?? '')).map((row) => row.column_name);
}

/**
 * Copies the rows of `table` that `where` selects (alias `t`) once per row of `from`, with
 * `overrides` (SQL over `t` and `from`'s names) in place of the template's values.
 */
async function copyRows(
  client: Client,
  table: string,
  spec: { from: string; where: string; overrides: Record<string, string>; orderBy: string },
  params: unknown[],
): Promise<number> {
  const columns = await copiedColumns(client, table);
  const unknown = Object.keys(spec.overrides).filter((name) => !columns.includes(name));
  if (unknown.length > 0) throw new Error(`history: ${table} has no column ${unknown.join(', ')}`);
  const values = columns.map((name) => spec.overrides[name] ?? `t.${name}`);
  // The template's rows first (a handful), then one copy per row of `from`.
  const select = `SELECT ${values.join(', ')} FROM (SELECT * FROM ${table} t WHERE ${spec.where} OFFSET 0) t, ${spec.from} WHERE true`;
  // PostgreSQL must know every parameter's type: those the statement does not use are typed as text, unused.
  const unused = params.map((_, index) => index + 1).filter((n) => !new RegExp(`\\$${n}(?!\\d)`).test(select));
  const typed = unused.map((n) => ` AND $${n}::text IS NOT DISTINCT FROM $${n}::text`).join('');
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) ${select}${typed} ORDER BY ${spec.orderBy}`;
  return (await client.query(sql, params)).rowCount ?? 0;
}

/** Replaces each template id in a text expression with its copy's (nested replace calls). */
const replaced = (expression: string, pairs: [string, string][]) => pairs.reduce((inner, [from, to]) => `replace(${inner}, ${from}, ${to})`, expression);

/**
 * Loads `cards` history cards (ENTRIES_PER_CARD entries each) into the database of
 * `databaseUrl`, then refreshes the planner's statistics. Logs each step's time.
 */
export async function loadHistory(
  databaseUrl: string,
  template: HistoryTemplate,
  ledger: LedgerFixture,
  cards: number,
  log: (line: string) => void,
): Promise<void> {
  const connections = Array.from({ length: LOAD_CONNECTIONS }, () => new Client({ connectionString: databaseUrl }));
  const [client] = connections;
  try {
    await Promise.all(connections.map((connection) => connection.connect()));
    for (const [n, connection] of connections.entries()) {
      const from = Math.floor((n * cards) / connections.length) + 1;
      const to = Math.floor(((n + 1) * cards) / connections.length);
      await connection.query(
        `SET synchronous_commit = off; SET work_mem = '256MB'; SET maintenance_work_mem = '512MB'; SET cynod.history_from = ${from}; SET cynod.history_to = ${to}`,
      );
    }
    const one = async <Row extends object>(sql: string, params: unknown[] = []) => {
      const { rows } = await client.query<Row>(sql, params);
      if (rows.length !== 1) throw new Error(`history: expected one row from ${sql.slice(0, 80)}, got ${rows.length}`);
      return rows[0];
    };
    const card = await one<{ client_id: string; account_id: string; event_sequence: string }>(
      `SELECT c.client_id, a.id AS account_id, c.event_sequence FROM cards c JOIN ledger_accounts a ON a.card_id = c.id WHERE c.id = $1`,
      [template.cardId],
    );
    const station = await one<{ card_id: string; account_id: string }>(
      `SELECT c.id AS card_id, a.id AS account_id FROM cards c JOIN ledger_accounts a ON a.card_id = c.id WHERE c.service_point_id = $1`,
      [template.servicePointId],
    );
    // The template card's entry of each operation: its balance and version after it.
    const entryOf = (operationId: string) =>
      one<{ balance_after: string; version_after: string }>(
        `SELECT balance_after, version_after FROM ledger_entries WHERE operation_id = $1 AND account_id = $2`,
        [operationId, card.account_id],
      );
    const afterCredit = await entryOf(template.creditId);
    const afterPayment = await entryOf(template.paymentId);
    const paymentEvents = await one<{ n: string }>(`SELECT count(*) AS n FROM events WHERE resource_id = $1 AND card_id = $2`, [
      template.paymentId,
      template.cardId,
    ]);
    const stations = (
      await client.query<{ service_point_id: string; card_id: string; account_id: string }>(
        `SELECT c.service_point_id, c.id AS card_id, a.id AS account_id
           FROM unnest($1::text[]) WITH ORDINALITY AS s (id, ord) JOIN cards c ON c.service_point_id = s.id JOIN ledger_accounts a ON a.card_id = c.id
          ORDER BY s.ord`,
        [ledger.servicePoints],
      )
    ).rows;
    if (stations.length !== ledger.servicePoints.length)
      throw new Error(`history: ${stations.length} E-service accounts for ${ledger.servicePoints.length} service points`);

    // $1 template card, $2 its account, $3 template station, $4 its E-service card, $5 its account,
    // $6 credit, $7 payment, $8..$10 the fixture stations (service point, E-service card, account), $11 cards.
    const params = [
      template.cardId,
      card.account_id,
      template.servicePointId,
      station.card_id,
      station.account_id,
      template.creditId,
      template.paymentId,
      stations.map((row) => row.service_point_id),
      stations.map((row) => row.card_id),
      stations.map((row) => row.account_id),
      cards,
    ];
    const S = stations.length;
    // History card g (1..$11); its payment j (1..PAYMENTS_PER_CARD) at fixture station s (0-based).
    const cardId = `'crd_h' || g`;
    const accountId = `'acc_h' || g`;
    const s = `((g * ${PAYMENTS_PER_CARD} + j) % ${S})`;
    const stationOf = (array: number) => `($${array}::text[])[1 + ${s}]`;
    // Times in the past year, in the order of the rows: card g's credit, then its payments an hour apart.
    const at = (hours: string) => `now() - interval '365 days' + (g::float8 / $11) * interval '360 days' + ${hours} * interval '1 hour'`;
    const creditId = `'op_hc' || g`;
    const paymentId = `'op_hp' || g || '_' || j`;
    // A credit's accounts (the card's, a system account), or a payment's (the card's, its station's).
    const creditAccount = (column: string) => `CASE t.${column} WHEN $2 THEN ${accountId} ELSE t.${column} END`;
    const account = (column: string) => `CASE t.${column} WHEN $2 THEN ${accountId} WHEN $5 THEN ${stationOf(10)} ELSE t.${column} END`;
    const cardIds = (column: string) => `CASE t.${column} WHEN $1 THEN ${cardId} WHEN $4 THEN ${stationOf(9)} ELSE t.${column} END`;
    // Each connection loads its share of the cards, g from cynod.history_from to cynod.history_to.
    const share = `generate_series(current_setting('cynod.history_from')::int, current_setting('cynod.history_to')::int) g`;
    const payments = `${share}, generate_series(1, ${PAYMENTS_PER_CARD}) j`;
    const credits = share;
    // Balance and version after payment j, from the template's after the credit and after its one payment.
    const afterJ = (column: 'balance_after' | 'version_after', credit: string) =>
      `CASE WHEN t.${column} IS NULL THEN NULL ELSE ${credit} + j * (t.${column} - ${credit}) END`;
    // The clients, once (on one connection): the cards of each share name them.
    const clientCopies = (db: Client) =>
      copyRows(
        db,
        'clients',
        {
          from: `generate_series(1, ceil($11::numeric / ${CARDS_PER_CLIENT})::int) g`,
          where: `t.id = $12`,
          overrides: { id: `'cli_h' || g`, code: `'HIST-' || g`, name: `'Client historique ' || g`, created_at: at('0'), updated_at: at('0') },
          orderBy: 'g',
        },
        [...params, card.client_id],
      );
    const steps: [string, (db: Client) => Promise<number>][] = [
      [
        'cards',
        (db) =>
          copyRows(
            db,
            'cards',
            {
              from: credits,
              where: 't.id = $1',
              overrides: {
                id: cardId,
                number_hash: `'h' || g`,
                client_id: `'cli_h' || ((g - 1) / ${CARDS_PER_CLIENT} + 1)`,
                holder_name: `'Porteur historique ' || g`,
                event_sequence: `t.event_sequence + ${PAYMENTS_PER_CARD - 1} * $12`,
                created_at: at('0'),
                updated_at: at(String(PAYMENTS_PER_CARD)),
              },
              orderBy: 'g',
            },
            [...params, Number(paymentEvents.n)],
          ),
      ],
      [
        'accounts',
        (db) =>
          copyRows(
            db,
            'ledger_accounts',
            {
              from: credits,
              where: 't.id = $2',
              overrides: {
                id: accountId,
                card_id: cardId,
                posted: `$12::bigint + ${PAYMENTS_PER_CARD} * ($13::bigint - $12::bigint)`,
                version: `$14::bigint + ${PAYMENTS_PER_CARD} * ($15::bigint - $14::bigint)`,
                created_at: at('0'),
              },
              orderBy: 'g',
            },
            [...params, afterCredit.balance_after, afterPayment.balance_after, afterCredit.version_after, afterPayment.version_after],
          ),
      ],
      [
        'credits',
        (db) =>
          copyRows(
            db,
            'ledger_operations',
            {
              from: credits,
              where: 't.id = $6',
              overrides: {
                id: creditId,
                debit_account_id: creditAccount('debit_account_id'),
                credit_account_id: creditAccount('credit_account_id'),
                created_at: at('0'),
              },
              orderBy: 'g',
            },
            params,
          ),
      ],
      [
        'payments',
        (db) =>
          copyRows(
            db,
            'ledger_operations',
            {
              from: payments,
              where: 't.id = $7',
              overrides: {
                id: paymentId,
                debit_account_id: account('debit_account_id'),
                credit_account_id: account('credit_account_id'),
                service_point_id: stationOf(8),
                receipt_number: `'H' || g || '-' || j`,
                created_at: at('j'),
              },
              orderBy: 'g, j',
            },
            params,
          ),
      ],
      [
        'credit entries',
        (db) =>
          copyRows(
            db,
            'ledger_entries',
            {
              from: credits,
              where: 't.operation_id = $6',
              overrides: { operation_id: creditId, account_id: creditAccount('account_id'), created_at: at('0') },
              orderBy: 'g, t.seq',
            },
            params,
          ),
      ],
      [
        'payment entries',
        (db) =>
          copyRows(
            db,
            'ledger_entries',
            {
              from: payments,
              where: 't.operation_id = $7',
              overrides: {
                operation_id: paymentId,
                account_id: account('account_id'),
                balance_after: afterJ('balance_after', '$12::bigint'),
                version_after: afterJ('version_after', '$13::bigint'),
                created_at: at('j'),
              },
              orderBy: 'g, j, t.seq',
            },
            [...params, afterCredit.balance_after, afterCredit.version_after],
          ),
      ],
      [
        'card events',
        (db) =>
          copyRows(
            db,
            'events',
            {
              from: credits,
              where: 't.card_id = $1 AND t.resource_id <> $7',
              overrides: {
                id: `'evt_h' || g || '_' || t.seq`,
                resource_id: `CASE t.resource_id WHEN $1 THEN ${cardId} WHEN $6 THEN ${creditId} ELSE t.resource_id END`,
                card_id: cardId,
                data: `${replaced('t.data::text', [
                  ['$1', cardId],
                  ['$2', accountId],
                  ['$6', creditId],
                ])}::jsonb`,
                occurred_at: at('0'),
              },
              orderBy: 'g, t.seq',
            },
            params,
          ),
      ],
      [
        'payment events',
        (db) =>
          copyRows(
            db,
            'events',
            {
              from: payments,
              where: 't.resource_id = $7',
              overrides: {
                id: `'evt_h' || g || '_' || t.seq || '_' || j`,
                resource_id: paymentId,
                card_id: cardIds('card_id'),
                card_sequence: `t.card_sequence + (j - 1) * $12`,
                data: `${replaced('t.data::text', [
                  ['$1', cardId],
                  ['$2', accountId],
                  ['$3', stationOf(8)],
                  ['$4', stationOf(9)],
                  ['$5', stationOf(10)],
                  ['$7', paymentId],
                ])}::jsonb`,
                occurred_at: at('j'),
              },
              orderBy: 'g, j, t.seq',
            },
            [...params, Number(paymentEvents.n)],
          ),
      ],
    ];
    const timed = async <T>(what: (result: T) => string, work: () => Promise<T>) => {
      const started = Date.now();
      const result = await work();
      log(`history: ${what(result)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    };
    // A bulk load's usual way: the indexes that back no constraint are dropped and built again
    // once the rows are in, and the foreign keys are checked once at the end (FOREIGN_KEYS)
    // rather than row by row.
    const indexes = (
      await client.query<{ name: string; definition: string }>(
        `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
          WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`,
        [LOADED_TABLES],
      )
    ).rows;
    await client.query(indexes.map((index) => `DROP INDEX ${index.name};`).join('\n'));
    const everyConnection = (sql: string) => Promise.all(connections.map((connection) => connection.query(sql)));
    await everyConnection('SET session_replication_role = replica');
    await timed(
      (rows) => `${rows.toLocaleString('en')} clients`,
      () => clientCopies(client),
    );
    for (const [name, step] of steps)
      await timed(
        (rows) => `${rows.toLocaleString('en')} ${name}`,
        async () => {
          const counts = await Promise.all(
            connections.map(async (connection) => {
              await connection.query('BEGIN');
              const rows = await step(connection);
              await connection.query('COMMIT');
              return rows;
            }),
          );
          return counts.reduce((sum, n) => sum + n, 0);
        },
      );
    await everyConnection('SET session_replication_role = DEFAULT');
    await timed(
      () => `${indexes.length} indexes built`,
      () => client.query(indexes.map((index) => `${index.definition};`).join('\n')),
    );
    await timed(
      () => 'foreign keys checked',
      async () => {
        for (const [table, column, target] of FOREIGN_KEYS) {
          const { rows } = await client.query<{ n: string }>(
            `SELECT count(*) AS n FROM ${table} x WHERE x.${column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${target} y WHERE y.id = x.${column})`,
          );
          if (rows[0].n !== '0') throw new Error(`history: ${rows[0].n} rows of ${table} name a ${column} missing from ${target}`);
        }
      },
    );
    await timed(
      () => 'ANALYZE',
      () => client.query('ANALYZE'),
    );
  } finally {
    await Promise.all(connections.map((connection) => connection.end().catch(() => undefined)));
  }
}
