/**
 * The ceiling of `npm run bench`: a minimal server outside the app (node:http and the `pg`
 * Pool, the API's pool size) doing the SQL work of the scenarios that have one, the best known
 * way, so that each API scenario can be read as a fraction of what the same work allows on the
 * machine (issue 31):
 *
 * - every call: its bearer token looked up (live token of an active partner, its scopes, its
 *   allow-list, its expiry) and counted against the partner's per-minute limit, each of the two
 *   sent as one statement per turn of the event loop for all the calls of that turn;
 * - reads (GET /partner/v1/me, GET /core/v1/cards/{cardId}, GET /partner/v1/cards/{cardId}):
 *   the data read, one statement per turn too (`unnest(...) WITH ORDINALITY`);
 * - payments (POST /core/v1/payments, POST /partner/v1/payments): one call of a SQL function
 *   (CEILING_FUNCTION, created by this server in the bench's schema: not a migration) doing the
 *   posting as the app does: the idempotency claim, the station contract and the card by its
 *   number (a partner's), the accounts, the locks in the ledger's order (member card, station
 *   card, accounts in id order), the card, client, service and balance checks, the operation,
 *   the balance, the entries, the card events and the idempotency record.
 *
 * It is written apart from the app on purpose (its own SQL, no app code on the path but pure
 * helpers: the secret hash, the allow-list match, the operation table): it is the fixed
 * reference the app is measured against, so that a slower app cannot make its ceiling slower.
 * Answers have the statuses and about the size of the API's; the bench checks them
 * (scripts/bench.ts: `check`). Spending controls, fuel, drivers and vehicles are not modelled:
 * a payment of a card that has any is refused (500), so the bench flags it instead of
 * measuring less work.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { amountBounds, operationTable, type OperationId } from '../../generated/operations';
import { openDatabase } from '../../src/db/database';
import { addressAllowed } from '../../src/domain/ip-ranges';
import { hashSecret } from '../../src/domain/partners/secrets';

/** One statement: named (prepared once per connection on PostgreSQL), its rows. */
type Run = <Row>(name: string, text: string, values: unknown[]) => Promise<Row[]>;

/** The SQL function of the payments, created by the ceiling server in the bench's schema. */
const CEILING_FUNCTION = 'bench_ceiling_payment';

/** Calls are batched per turn of the event loop, at most this many per statement. */
const MAX_BATCH = 200;

/**
 * Sends the calls made in one turn of the event loop as one statement: `send` gets the inputs
 * of the turn and returns one result per input, in order.
 */
export function perTurn<Input, Result>(send: (inputs: Input[]) => Promise<Result[]>): (input: Input) => Promise<Result> {
  let pending: { input: Input; resolve(result: Result): void; reject(error: unknown): void }[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    send(batch.map((call) => call.input)).then(
      (results) => batch.forEach((call, index) => call.resolve(results[index])),
      (error: unknown) => batch.forEach((call) => call.reject(error)),
    );
  };
  return (input) =>
    new Promise((resolve, reject) => {
      pending.push({ input, resolve, reject });
      if (pending.length === 1) setImmediate(flush);
      else if (pending.length >= MAX_BATCH) flush();
    });
}

/** The distinct values of `keys` (unnest's first array) and where each input finds its row. */
function distinct(keys: string[]): { values: string[]; index: number[] } {
  const positions = new Map<string, number>();
  const index = keys.map((key) => {
    let at = positions.get(key);
    if (at === undefined) positions.set(key, (at = positions.size));
    return at;
  });
  return { values: [...positions.keys()], index };
}

/** Rows of a `WITH ORDINALITY` statement (ord from 1) placed at their ordinal; absent ones undefined. */
const byOrdinal = <Row extends { ord: string | number }>(rows: Row[], count: number): (Row | undefined)[] => {
  const placed = new Array<Row | undefined>(count);
  for (const row of rows) placed[Number(row.ord) - 1] = row;
  return placed;
};

interface TokenRow {
  ord: string;
  partner_id: string;
  name: string;
  token_scopes: string[];
  partner_scopes: string[];
  internal: boolean;
  allowed_ips: string[];
  expires_at: Date;
}

const TOKEN_SQL = `SELECT r.ord, t.partner_id, p.name, t.scopes AS token_scopes, p.scopes AS partner_scopes, p.internal, p.allowed_ips, t.expires_at
  FROM unnest($1::text[]) WITH ORDINALITY AS r (hash, ord)
  JOIN access_tokens t ON t.token_hash = r.hash AND t.revoked_at IS NULL
  JOIN partners p ON p.id = t.partner_id AND p.status = 'active'`;

/** Per-minute windows counted as the app counts them (fixed windows, sliding estimate). */
const RATE_SQL = `WITH hits AS (
  SELECT * FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS h (bucket, n, ord)
), counted AS (
  INSERT INTO rate_counters (bucket, window_start, hits, expires_at)
  SELECT bucket, $3::bigint, n, to_timestamp($3::bigint + 120) FROM hits ORDER BY bucket
  ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_counters.hits + excluded.hits
  RETURNING bucket, hits
)
SELECT h.ord, c.hits, COALESCE(p.hits, 0) AS previous
  FROM hits h JOIN counted c ON c.bucket = h.bucket
  LEFT JOIN rate_counters p ON p.bucket = h.bucket AND p.window_start = $3::bigint - 60`;

const ME_SQL = `SELECT r.ord, p.internal,
    COALESCE((SELECT json_agg(json_build_object('id', c.id, 'createdAt', c.created_at, 'expiresAt', c.expires_at, 'createdBy', c.created_by) ORDER BY c.seq DESC)
                FROM partner_credentials c WHERE c.partner_id = p.id AND (c.expires_at IS NULL OR c.expires_at > now())), '[]') AS credentials
  FROM unnest($1::text[]) WITH ORDINALITY AS r (id, ord) JOIN partners p ON p.id = r.id`;

const CORE_CARD_SQL = `SELECT r.ord, c.id, c.kind, c.masked_number, c.client_id, c.profile_id, c.service_point_id, c.holder_name, c.holder_phone,
    c.vehicle_id, c.driver_id, c.status, c.status_reason, c.expires_at, c.created_at, c.updated_at,
    COALESCE((SELECT json_agg(json_build_object('unit', a.unit_code, 'scale', u.scale,
                     'value', CASE WHEN a.stored_balance THEN a.posted ELSE (SELECT COALESCE(sum(e.amount), 0) FROM ledger_entries e WHERE e.account_id = a.id) END - a.held)
                     ORDER BY a.unit_code)
                FROM ledger_accounts a JOIN units u ON u.code = a.unit_code WHERE a.card_id = c.id), '[]') AS balances
  FROM unnest($1::text[]) WITH ORDINALITY AS r (id, ord) JOIN cards c ON c.id = r.id`;

const PARTNER_CARD_SQL = `SELECT r.ord, c.id, c.masked_number, c.status, c.expires_at, c.holder_name,
    COALESCE((SELECT json_agg(json_build_object('unit', a.unit_code, 'posted', a.posted, 'held', a.held) ORDER BY a.unit_code)
                FROM ledger_accounts a WHERE a.card_id = c.id), '[]') AS balances
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r (id, partner_id, ord)
  JOIN cards c ON c.id = r.id AND c.kind = 'member'
   AND EXISTS (SELECT 1 FROM partner_contracts pc WHERE pc.client_id = c.client_id AND pc.partner_id = r.partner_id AND pc.ended_at IS NULL)`;

/** The posting of a payment in one call (see the file's comment); refusals come back as a status and a code, nothing written. */
const FUNCTION_SQL = `
CREATE OR REPLACE FUNCTION ${CEILING_FUNCTION}(
  p_caller text, p_key text, p_operation text, p_fingerprint text, p_card_id text, p_number_hash text, p_partner_id text,
  p_service_point_id text, p_unit text, p_amount bigint, p_service text, p_receipt text, p_external_reference text,
  p_actor_kind text, p_actor_id text, p_actor_name text, p_request_id text, p_operation_id text, p_event_ids text[], p_partner_view boolean
) RETURNS TABLE (status integer, code text, answer text) LANGUAGE plpgsql AS $fn$
DECLARE
  v_stored record;
  v_ctx record;
  v_card record;
  v_station record;
  v_account record;
  v_op record;
  v_card_id text := p_card_id;
  v_posted bigint;
  v_held bigint;
  v_version bigint;
  v_station_posted bigint;
  v_station_version bigint;
  v_sequence bigint;
  v_amount json;
  v_core json;
  v_shown json;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended(p_caller || ' ' || p_key, 0)) THEN
    RETURN QUERY SELECT 409, 'IDEMPOTENCY_KEY_IN_USE', NULL::text; RETURN;
  END IF;
  SELECT k.operation, k.fingerprint, k.status, k.answer INTO v_stored FROM idempotency_keys k WHERE k.caller = p_caller AND k.key = p_key;
  IF FOUND THEN
    IF v_stored.operation <> p_operation OR v_stored.fingerprint <> p_fingerprint THEN
      RETURN QUERY SELECT 422, 'IDEMPOTENCY_KEY_REUSED', NULL::text; RETURN;
    END IF;
    RETURN QUERY SELECT v_stored.status::integer, NULL::text, (v_stored.answer -> 'data')::text; RETURN;
  END IF;
  IF p_number_hash IS NOT NULL THEN
    IF NOT EXISTS (SELECT 1 FROM partner_contracts pc WHERE pc.partner_id = p_partner_id AND pc.service_point_id = p_service_point_id AND pc.ended_at IS NULL) THEN
      RETURN QUERY SELECT 404, 'SERVICE_POINT_NOT_FOUND', NULL::text; RETURN;
    END IF;
    SELECT c.id INTO v_card_id FROM cards c WHERE c.number_hash = p_number_hash AND c.kind = 'member';
  END IF;
  SELECT c.id AS card, st.id AS station_card, ca.id AS card_account, ca.stored_balance AS card_stored, sa.id AS station_account,
         sa.stored_balance AS station_stored, u.scale, cc.rules AS card_rules, pc.rules AS profile_rules, c.vehicle_id, c.driver_id, p.driver_code_required
    INTO v_ctx
    FROM (SELECT 1) one
    LEFT JOIN cards c ON c.id = v_card_id AND c.kind = 'member'
    LEFT JOIN cards st ON st.service_point_id = p_service_point_id
    LEFT JOIN ledger_accounts ca ON ca.card_id = c.id AND ca.unit_code = p_unit
    LEFT JOIN ledger_accounts sa ON sa.card_id = st.id AND sa.unit_code = p_unit
    LEFT JOIN units u ON u.code = p_unit
    LEFT JOIN card_controls cc ON cc.card_id = c.id
    LEFT JOIN card_profile_controls pc ON pc.profile_id = c.profile_id
    LEFT JOIN card_profiles p ON p.id = c.profile_id;
  IF v_ctx.card IS NULL THEN RETURN QUERY SELECT 404, 'CARD_NOT_FOUND', NULL::text; RETURN; END IF;
  IF v_ctx.station_card IS NULL THEN RETURN QUERY SELECT 404, 'SERVICE_POINT_NOT_FOUND', NULL::text; RETURN; END IF;
  IF v_ctx.card_account IS NULL OR v_ctx.station_account IS NULL THEN RETURN QUERY SELECT 422, 'UNIT_NOT_HELD', NULL::text; RETURN; END IF;
  IF v_ctx.card_rules IS NOT NULL OR v_ctx.profile_rules IS NOT NULL OR v_ctx.vehicle_id IS NOT NULL OR v_ctx.driver_id IS NOT NULL OR v_ctx.driver_code_required
     OR NOT v_ctx.card_stored THEN
    RAISE EXCEPTION 'the ceiling does not model spending controls, vehicles, drivers or summed card balances (card %)', v_ctx.card;
  END IF;

  -- The ledger's lock order: member cards, then E-service cards (shared), then accounts, each in id order.
  SELECT c.status, c.expires_at, cl.status AS client_status, pr.allowed_services INTO v_card
    FROM cards c JOIN clients cl ON cl.id = c.client_id JOIN card_profiles pr ON pr.id = c.profile_id
   WHERE c.id = v_ctx.card FOR NO KEY UPDATE OF c;
  SELECT c.status, c.expires_at INTO v_station FROM cards c WHERE c.id = v_ctx.station_card FOR KEY SHARE;
  FOR v_account IN SELECT a.id, a.posted, a.held, a.version FROM ledger_accounts a
                  WHERE a.id = v_ctx.card_account OR (a.id = v_ctx.station_account AND v_ctx.station_stored) ORDER BY a.id FOR NO KEY UPDATE LOOP
    IF v_account.id = v_ctx.card_account THEN
      v_posted := v_account.posted; v_held := v_account.held; v_version := v_account.version;
    ELSE
      v_station_posted := v_account.posted; v_station_version := v_account.version;
    END IF;
  END LOOP;

  IF v_card.status <> 'active' THEN RETURN QUERY SELECT 422, 'CARD_' || upper(v_card.status), NULL::text; RETURN; END IF;
  IF v_card.expires_at <= now() THEN RETURN QUERY SELECT 422, 'CARD_EXPIRED', NULL::text; RETURN; END IF;
  IF v_card.client_status <> 'active' THEN RETURN QUERY SELECT 422, 'CLIENT_INACTIVE', NULL::text; RETURN; END IF;
  IF NOT p_service = ANY (v_card.allowed_services) THEN RETURN QUERY SELECT 422, 'SERVICE_NOT_ALLOWED', NULL::text; RETURN; END IF;
  IF v_station.status IN ('opposed', 'cancelled') THEN RETURN QUERY SELECT 422, 'CARD_' || upper(v_station.status), NULL::text; RETURN; END IF;
  IF v_station.expires_at IS NOT NULL AND v_station.expires_at <= now() THEN RETURN QUERY SELECT 422, 'CARD_EXPIRED', NULL::text; RETURN; END IF;
  IF v_posted - v_held < p_amount THEN RETURN QUERY SELECT 422, 'INSUFFICIENT_FUNDS', NULL::text; RETURN; END IF;
  IF v_posted - p_amount < ${amountBounds.minimum} OR v_station_posted + p_amount > ${amountBounds.maximum} THEN
    RETURN QUERY SELECT 422, 'BALANCE_OUT_OF_BOUNDS', NULL::text; RETURN;
  END IF;

  INSERT INTO ledger_operations (id, type, status, unit_code, amount, debit_account_id, credit_account_id, service_point_id, partner_id,
      external_reference, receipt_number, service, driver_check, actor_kind, actor_id, actor_name, channel, request_id)
    VALUES (p_operation_id, 'payment', 'completed', p_unit, p_amount, v_ctx.card_account, v_ctx.station_account, p_service_point_id, p_partner_id,
      p_external_reference, p_receipt, p_service, 'no-driver', p_actor_kind, p_actor_id, p_actor_name, 'api', p_request_id)
    RETURNING reference, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at INTO v_op;
  UPDATE ledger_accounts SET posted = v_posted - p_amount, version = v_version + 1 WHERE id = v_ctx.card_account;
  IF v_ctx.station_stored THEN
    UPDATE ledger_accounts SET posted = v_station_posted + p_amount, version = v_station_version + 1 WHERE id = v_ctx.station_account;
  END IF;
  INSERT INTO ledger_entries (operation_id, account_id, unit_code, amount, balance_after, version_after) VALUES
    (p_operation_id, v_ctx.card_account, p_unit, -p_amount, v_posted - p_amount, v_version + 1),
    (p_operation_id, v_ctx.station_account, p_unit, p_amount,
     CASE WHEN v_ctx.station_stored THEN v_station_posted + p_amount END, CASE WHEN v_ctx.station_stored THEN v_station_version + 1 END);

  v_amount := json_build_object('value', round(p_amount::numeric / 10::numeric ^ v_ctx.scale, v_ctx.scale::integer), 'unit', p_unit, 'scale', v_ctx.scale,
                              'decimal', round(p_amount::numeric / 10::numeric ^ v_ctx.scale, v_ctx.scale::integer)::text);
  v_core := json_build_object('id', p_operation_id, 'reference', v_op.reference, 'type', 'payment', 'status', 'completed', 'amount', v_amount,
    'debit', json_build_object('accountId', v_ctx.card_account, 'kind', 'card', 'cardId', v_ctx.card, 'partnerId', NULL),
    'credit', json_build_object('accountId', v_ctx.station_account, 'kind', 'card', 'cardId', v_ctx.station_card, 'partnerId', NULL),
    'servicePointId', p_service_point_id, 'partnerId', p_partner_id, 'externalReference', p_external_reference, 'receiptNumber', p_receipt,
    'service', p_service, 'fuel', NULL, 'pumpNumber', NULL, 'vehicleId', NULL, 'odometerKm', NULL, 'driverCheck', 'no-driver', 'reason', NULL,
    'comment', NULL, 'cancels', NULL, 'cancelledBy', NULL, 'corrects', NULL, 'settles', NULL, 'orderId', NULL, 'offline', NULL,
    'actor', json_build_object('id', p_actor_id, 'name', p_actor_name), 'channel', 'api', 'requestId', p_request_id, 'createdAt', v_op.created_at);
  UPDATE cards SET event_sequence = event_sequence + 1 WHERE id = v_ctx.card RETURNING event_sequence INTO v_sequence;
  INSERT INTO events (id, type, resource_type, resource_id, card_id, card_sequence, data, partner_id) VALUES
    (p_event_ids[1], 'operation.completed', 'operation', p_operation_id, v_ctx.card, v_sequence, v_core::jsonb, p_partner_id),
    (p_event_ids[2], 'operation.completed', 'operation', p_operation_id, v_ctx.station_card, NULL, v_core::jsonb, p_partner_id);
  v_shown := CASE WHEN p_partner_view THEN json_build_object('id', p_operation_id, 'reference', v_op.reference, 'type', 'payment', 'status', 'completed',
      'own', true, 'amount', v_amount, 'cardId', v_ctx.card, 'servicePointId', p_service_point_id, 'externalReference', p_external_reference,
      'receiptNumber', p_receipt, 'service', p_service, 'fuel', NULL, 'pumpNumber', NULL, 'odometerKm', NULL, 'driverCheck', 'no-driver',
      'reason', NULL, 'cancels', NULL, 'cancelledBy', NULL, 'corrects', NULL, 'offline', NULL, 'createdAt', v_op.created_at)
    ELSE v_core END;
  INSERT INTO idempotency_keys (caller, key, operation, fingerprint, status, answer)
    VALUES (p_caller, p_key, p_operation, p_fingerprint, 200, json_build_object('data', v_shown)::jsonb);
  RETURN QUERY SELECT 200, NULL::text, v_shown::text;
END
$fn$`;

const PAY_SQL = `SELECT status, code, answer FROM ${CEILING_FUNCTION}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`;

/** The statements of the ceiling, on the PostgreSQL of `databaseUrl` (a pg Pool) or the PGlite of `dataDir`. */
async function openRun(
  spec: { databaseUrl?: string; dataDir?: string },
  poolSize: number,
): Promise<{ run: Run; exec(sql: string): Promise<void>; close(): Promise<void> }> {
  if (spec.databaseUrl) {
    const pool = new Pool({ connectionString: spec.databaseUrl, max: poolSize });
    pool.on('error', () => undefined);
    return {
      run: async <Row>(name: string, text: string, values: unknown[]) => (await pool.query({ name, text, values })).rows as Row[],
      exec: async (sql) => void (await pool.query(sql)),
      close: () => pool.end(),
    };
  }
  // PGlite has no wire protocol: its one session, through the project's adapter (the only way to open it).
  const db = await openDatabase({ dataDir: spec.dataDir, poolSize });
  return { run: <Row>(_name: string, text: string, values: unknown[]) => db.query<Row>(text, values), exec: (sql) => db.exec(sql), close: () => db.close() };
}

/** An error answer in the API's envelope. */
function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ success: false, code, message, errors: [] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** A success answer in the API's envelope, `data` already serialised. */
function answer(res: ServerResponse, data: string): void {
  const body = `{"success":true,"code":"0000","message":"Opération réussie","data":${data}}`;
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A card's row as the ceiling's reads return it (its columns and its balances as JSON). */
interface CardRead {
  ord: string;
  id: string;
  status: string;
  expires_at: Date | null;
  holder_name: string | null;
  [column: string]: unknown;
}

interface Caller {
  partnerId: string;
  name: string;
  scopes: string[];
  expiresAt: Date;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const CARD_PATH = /^\/(core|partner)\/v1\/cards\/([A-Za-z0-9_]+)$/;

/** Starts the ceiling on 127.0.0.1 (a free port); returns its URL and how to stop it. */
export async function serveCeiling(
  spec: { databaseUrl?: string; dataDir?: string; cardKeys: { hashKey: string } },
  options: { poolSize: number; rateLimitPerMinute: number },
): Promise<{ url: string; stop(): Promise<void> }> {
  const database = await openRun(spec, options.poolSize);
  await database.exec(FUNCTION_SQL);
  const { run } = database;
  const hashKey = Buffer.from(spec.cardKeys.hashKey, 'base64');

  const lookUp = perTurn<string, TokenRow | undefined>(async (hashes) => {
    const { values, index } = distinct(hashes);
    const rows = byOrdinal(await run<TokenRow>('ceiling_token', TOKEN_SQL, [values]), values.length);
    return index.map((at) => rows[at]);
  });
  const count = perTurn<string, number>(async (buckets) => {
    const { values, index } = distinct(buckets);
    const hits = new Array<number>(values.length).fill(0);
    for (const at of index) hits[at] += 1;
    const seconds = Date.now() / 1000;
    const windowStart = Math.floor(seconds / 60) * 60;
    const rows = byOrdinal(await run<{ ord: string; hits: number; previous: number }>('ceiling_rate', RATE_SQL, [values, hits, windowStart]), values.length);
    // The calls of one bucket are numbered in arrival order (the last sees the total); the sliding estimate of each.
    const seen = new Array<number>(values.length).fill(0);
    return index.map((at) => {
      const row = rows[at];
      if (!row) throw new Error(`rate counter ${values[at]} not returned`);
      seen[at] += 1;
      return row.previous * (1 - (seconds - windowStart) / 60) + row.hits - hits[at] + seen[at];
    });
  });

  /** The caller of a bearer token, counted, holding the operation's scopes. */
  async function authenticate(req: IncomingMessage, operationId: OperationId): Promise<Caller> {
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (!match) throw new Refusal(401, 'AUTHENTICATION_REQUIRED', 'This operation requires a bearer access token');
    const row = await lookUp(hashSecret(match[1]));
    if (!row) throw new Refusal(401, 'TOKEN_INVALID', 'The access token is invalid');
    if (row.expires_at.getTime() <= Date.now()) throw new Refusal(401, 'TOKEN_EXPIRED', 'The access token expired');
    if (!addressAllowed(row.allowed_ips, req.socket.remoteAddress)) throw new Refusal(403, 'IP_NOT_ALLOWED', 'The address is not allowed');
    if ((await count(`api:${row.partner_id}`)) > options.rateLimitPerMinute) throw new Refusal(429, 'RATE_LIMITED', 'Rate limit exceeded');
    const scopes = row.token_scopes.filter((scope) => row.partner_scopes.includes(scope) && (row.internal || !scope.startsWith('core:')));
    const missing = operationTable[operationId].scopes.filter((scope) => !scopes.includes(scope));
    if (missing.length > 0) throw new Refusal(403, 'INSUFFICIENT_SCOPE', `This operation requires the scope ${missing.join(' ')}`);
    return { partnerId: row.partner_id, name: row.name, scopes, expiresAt: row.expires_at };
  }

  const readMe = perTurn<string, { internal: boolean; credentials: unknown[] } | undefined>(async (ids) => {
    const { values, index } = distinct(ids);
    const rows = byOrdinal(await run<{ ord: string; internal: boolean; credentials: unknown[] }>('ceiling_me', ME_SQL, [values]), values.length);
    return index.map((at) => rows[at]);
  });
  const readCoreCard = perTurn<string, CardRead | undefined>(async (ids) => {
    const { values, index } = distinct(ids);
    const rows = byOrdinal(await run<CardRead>('ceiling_core_card', CORE_CARD_SQL, [values]), values.length);
    return index.map((at) => rows[at]);
  });
  const readPartnerCard = perTurn<{ id: string; partnerId: string }, CardRead | undefined>(async (reads) => {
    const rows = await run<CardRead>('ceiling_partner_card', PARTNER_CARD_SQL, [reads.map((read) => read.id), reads.map((read) => read.partnerId)]);
    return byOrdinal(rows, reads.length);
  });

  const status = (row: { status: string; expires_at: Date | null }) =>
    (row.status === 'active' || row.status === 'suspended') && row.expires_at !== null && row.expires_at.getTime() <= Date.now() ? 'expired' : row.status;

  async function me(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const caller = await authenticate(req, 'getPartnerMe');
    const row = await readMe(caller.partnerId);
    if (!row) throw new Refusal(404, 'PARTNER_NOT_FOUND', 'No partner');
    answer(
      res,
      JSON.stringify({
        partnerId: caller.partnerId,
        name: caller.name,
        scopes: caller.scopes,
        internal: row.internal,
        authMethod: 'bearer',
        tokenExpiresAt: caller.expiresAt.toISOString(),
        credentials: row.credentials,
      }),
    );
  }

  async function card(req: IncomingMessage, res: ServerResponse, api: string, id: string): Promise<void> {
    if (api === 'core') {
      await authenticate(req, 'getCard');
      const row = await readCoreCard(id);
      if (!row) throw new Refusal(404, 'CARD_NOT_FOUND', `No card ${id}`);
      const balances = (row.balances as { unit: string; scale: number; value: number }[]).map((balance) => {
        const decimal = balance.scale === 0 ? String(balance.value) : (balance.value / 10 ** balance.scale).toFixed(balance.scale);
        return { value: Number(decimal), unit: balance.unit, scale: balance.scale, decimal };
      });
      answer(
        res,
        JSON.stringify({
          id: row.id,
          kind: row.kind,
          maskedNumber: row.masked_number,
          clientId: row.client_id,
          profileId: row.profile_id,
          servicePointId: row.service_point_id,
          holder: row.holder_name && row.holder_phone ? { name: row.holder_name, phone: row.holder_phone } : null,
          vehicleId: row.vehicle_id,
          driverId: row.driver_id,
          status: status(row),
          statusReason: row.status_reason,
          expiresAt: row.expires_at?.toISOString() ?? null,
          balances,
          cancellation: null,
          createdAt: (row.created_at as Date).toISOString(),
          updatedAt: (row.updated_at as Date).toISOString(),
        }),
      );
      return;
    }
    const caller = await authenticate(req, 'getPartnerCard');
    const row = await readPartnerCard({ id, partnerId: caller.partnerId });
    if (!row) throw new Refusal(404, 'CARD_NOT_FOUND', `No card ${id}`);
    answer(
      res,
      JSON.stringify({
        id: row.id,
        maskedNumber: row.masked_number,
        status: status(row),
        expiresAt: row.expires_at?.toISOString() ?? null,
        holderFirstName: row.holder_name?.trim().split(/\s+/u)[0] ?? null,
        balances: (row.balances as { unit: string; posted: number; held: number }[]).map((balance) => ({
          unit: balance.unit,
          posted: Number(balance.posted),
          available: Number(balance.posted) - Number(balance.held),
        })),
      }),
    );
  }

  async function pay(req: IncomingMessage, res: ServerResponse, api: string): Promise<void> {
    const operationId: OperationId = api === 'core' ? 'createPayment' : 'createPartnerPayment';
    const [caller, body] = await Promise.all([authenticate(req, operationId), readBody(req)]);
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '') throw new Refusal(400, 'IDEMPOTENCY_KEY_REQUIRED', 'An Idempotency-Key header is required');
    const input = JSON.parse(body) as {
      cardId?: string;
      cardNumber?: string;
      servicePointId: string;
      amount: { value: number; unit: string };
      service: string;
      receiptNumber: string;
      externalReference?: string;
    };
    if (!Number.isSafeInteger(input.amount?.value) || input.amount.value <= 0) throw new Refusal(400, 'VALIDATION_FAILED', 'amount.value');
    const partner = api === 'partner';
    const [row] = await run<{ status: number; code: string | null; answer: string | null }>('ceiling_pay', PAY_SQL, [
      `partner:${caller.partnerId}`,
      key,
      operationId,
      createHash('sha256').update(`${operationId}\0${body}`).digest('base64url'),
      partner ? null : input.cardId,
      partner ? createHmac('sha256', hashKey).update(String(input.cardNumber)).digest('hex') : null,
      partner ? caller.partnerId : null,
      input.servicePointId,
      input.amount.unit,
      input.amount.value,
      input.service,
      input.receiptNumber,
      partner ? input.externalReference : null,
      'partner',
      caller.partnerId,
      caller.name,
      `req_${randomBytes(16).toString('hex')}`,
      `op_${randomBytes(12).toString('hex')}`,
      [`evt_${randomBytes(12).toString('hex')}`, `evt_${randomBytes(12).toString('hex')}`],
      partner,
    ]);
    if (row.status !== 200 || row.answer === null) throw new Refusal(row.status, row.code ?? 'REFUSED', 'Refused by the ceiling');
    answer(res, row.answer);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const cardPath = CARD_PATH.exec(path);
    if (req.method === 'GET' && path === '/partner/v1/me') return me(req, res);
    if (req.method === 'GET' && cardPath) return card(req, res, cardPath[1], cardPath[2]);
    if (req.method === 'POST' && (path === '/core/v1/payments' || path === '/partner/v1/payments')) return pay(req, res, path.split('/')[1]);
    throw new Refusal(404, 'NOT_FOUND', `The ceiling does not serve ${req.method} ${path}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof Refusal) return refuse(res, error.status, error.code, error.message);
      const unique = (error as { code?: string }).code === '23505';
      if (!unique) process.stderr.write(`ceiling: ${String((error as Error)?.message ?? error)}\n`);
      refuse(res, unique ? 409 : 500, unique ? 'CONFLICT' : 'INTERNAL_ERROR', String((error as Error)?.message ?? error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await database.close();
    },
  };
}
