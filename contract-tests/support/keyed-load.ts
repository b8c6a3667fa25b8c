/**
 * A money load with Idempotency-Keys, for the fault and scale tests, and the checks afterwards:
 * payments and regularisations (debits and credits) on a few funded cards, each request
 * marking its operation in the database (a payment by its receipt number, a regularisation by
 * its reason), sent by concurrent clients that retry with the same key until a final answer
 * (409 4030, 503 9998 or 9999, and a connection that fails are not final), and
 * `expectExactlyOnce`: every key answered 200 made exactly one operation, every refused key
 * none, every copy of a key got the same answer, no answer was a 500 or an undocumented 503,
 * no key is left claimed, the balances are what the answers say, and the ledger's invariants hold.
 */
import { CardService, Configuration, CoreCardsApi, CoreLedgerApi, CorePartnersApi, CoreReferentialApi } from '../../generated/sdk';
import type { Database } from '../../src/db/database';
import { contractViolation } from './contract';
import { credit, expectLedgerHolds, issueCard, newClientWorld, newStation, xof, type Core } from './world';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

export interface Ledger {
  cards: string[];
  station: { id: string; cardId: string };
  /** Each card's balance after the setup. */
  initial: Map<string, number>;
}

/** A network, a client, a card profile, a service point and `cards` member cards, each credited `funds` (through the API at `url`). */
export async function setUpLedger(url: string, token: string, name: string, cardCount = 6, funds = 1_000_000): Promise<Ledger> {
  const configuration = new Configuration({ basePath: url, accessToken: async () => `Bearer ${token}` });
  const core: Core = {
    coreReferential: new CoreReferentialApi(configuration),
    coreCards: new CoreCardsApi(configuration),
    coreLedger: new CoreLedgerApi(configuration),
    corePartners: new CorePartnersApi(configuration),
  };
  const code = name.toUpperCase();
  const owner = await newClientWorld(core, code, { label: 'Flotte', validityMonths: 24, monthlyOfflineCap: xof(50000), allowedServices: [CardService.Shop] });
  const station = await newStation(core, owner.networkId, `STATION-${code}`);
  const cards: string[] = [];
  const initial = new Map<string, number>([[station.cardId, 0]]);
  for (let n = 0; n < cardCount; n++) {
    const cardId = (await issueCard(core, owner, { name: `Porteur ${n}`, phone: '+2250707080910' })).id;
    await credit(core, cardId, funds, 'Solde de départ', `setup-${name}-${n}`);
    cards.push(cardId);
    initial.set(cardId, funds);
  }
  return { cards, station, initial };
}

export interface KeyedRequest {
  key: string;
  kind: 'payment' | 'debit' | 'credit';
  operationId: 'createPayment' | 'createRegularisation';
  path: string;
  body: { cardId: string; amount: { value: number; unit: string } } & Record<string, unknown>;
  /** How the operation is found in the database: its receipt number or its reason. */
  mark: string;
}

/** `count` keyed requests named `${prefix}-n`: half payments, a quarter debits, a quarter credits, on the ledger's cards. */
export function keyedRequests(prefix: string, count: number, ledger: Ledger): KeyedRequest[] {
  return Array.from({ length: count }, (_, n): KeyedRequest => {
    const key = `${prefix}-${n + 1}`;
    const cardId = ledger.cards[n % ledger.cards.length];
    const roll = Math.random();
    if (roll < 0.5) {
      const mark = `R-${key}`;
      return {
        key,
        kind: 'payment',
        operationId: 'createPayment',
        path: '/core/v1/payments',
        mark,
        body: { cardId, servicePointId: ledger.station.id, amount: xof(between(100, 3000)), service: 'shop', receiptNumber: mark },
      };
    }
    const direction = roll < 0.75 ? 'debit' : 'credit';
    const mark = `Correction ${key}`;
    return {
      key,
      kind: direction,
      operationId: 'createRegularisation',
      path: '/core/v1/regularisations',
      mark,
      body: { cardId, direction, amount: xof(between(100, 3000)), reason: mark },
    };
  });
}

/** The final answer to one sending of a request (after its retries). */
interface FinalAnswer {
  status: number;
  code: string | null;
  replayed: boolean;
  id: string | null;
  attempts: number;
}

export interface LoadResult {
  finals: Map<string, FinalAnswer[]>;
  /** Every status seen with its code ("503 9999"), retries included; "transport" for a connection that failed. */
  seen: Map<string, number>;
  /** 500s, 503s that are not the documented envelope (or show internals), keys never answered. */
  failures: string[];
}

/** Nothing that names the database, a file or a stack frame may reach a caller. */
const INTERNALS = /ECONN|postgres|pglite|127\.0\.0\.1|\.ts:|\bat \w|stack|SELECT|terminat/i;

export interface LoadOptions {
  clients: number;
  token: string;
  /** The base URL for a sending of a request (copy 0 is the first); awaited before every attempt (a restarting server). */
  target(request: KeyedRequest, copy: number): string | Promise<string>;
  /** How many times each request is sent in all (copies are queued together, so that they race); 1 by default. */
  sendings?(request: KeyedRequest): number;
  /** Called after each final answer (to plant a fault at some point of the load). */
  onAnswer?(answered: number): void;
  /** Attempts per sending before it is reported unfinished (default 1500). */
  maxAttempts?: number;
}

/** Sends every request (and its copies) from `clients` concurrent clients, each retrying with the same key until a final answer. */
export async function runKeyedLoad(requests: KeyedRequest[], options: LoadOptions): Promise<LoadResult> {
  const finals = new Map<string, FinalAnswer[]>();
  const seen = new Map<string, number>();
  const failures: string[] = [];
  const count = (label: string) => seen.set(label, (seen.get(label) ?? 0) + 1);
  const queue = requests.flatMap((request) => Array.from({ length: options.sendings?.(request) ?? 1 }, (_, copy) => ({ request, copy })));
  const maxAttempts = options.maxAttempts ?? 1500;
  let answered = 0;
  const send = async ({ request, copy }: { request: KeyedRequest; copy: number }) => {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const base = await options.target(request, copy);
      let status: number;
      let text: string;
      let replayed: boolean;
      try {
        const response = await fetch(base + request.path, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'idempotency-key': request.key, 'content-type': 'application/json' },
          body: JSON.stringify(request.body),
        });
        status = response.status;
        replayed = response.headers.get('idempotent-replayed') === 'true';
        text = await response.text();
      } catch {
        count('transport');
        await sleep(between(20, 60));
        continue;
      }
      let body: { code?: string; data?: { id?: string } } | undefined;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const code = status === 200 ? null : (body?.code ?? null);
      count(`${status}${code ? ` ${code}` : ''}`);
      if (status === 503) {
        const violation = contractViolation(request.operationId, 503, body);
        if (violation || (code !== '9998' && code !== '9999') || INTERNALS.test(text))
          failures.push(`${request.key}: 503 ${text}${violation ? ` (${violation})` : ''}`);
      } else if (status >= 500) failures.push(`${request.key}: ${status} ${text}`);
      if ((status === 409 && code === '4030') || (status === 503 && (code === '9998' || code === '9999'))) {
        await sleep(between(5, 30));
        continue;
      }
      const list = finals.get(request.key) ?? [];
      list.push({ status, code, replayed, id: status === 200 ? (body?.data?.id ?? null) : null, attempts: attempt });
      finals.set(request.key, list);
      options.onAnswer?.(++answered);
      return;
    }
    failures.push(`${request.key} (copy ${copy}): no final answer after ${maxAttempts} attempts`);
  };
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await send(next);
    }),
  );
  return { finals, seen, failures };
}

/**
 * The exactly-once outcome of a load, from its answers and the database: see the file's
 * comment. `db` is a session of the test's own on the database.
 */
export async function expectExactlyOnce(db: Database, ledger: Ledger, requests: KeyedRequest[], result: LoadResult): Promise<void> {
  expect(result.failures).toEqual([]);
  const problems: string[] = [];
  const outcome = new Map<string, FinalAnswer>();
  for (const request of requests) {
    const list = result.finals.get(request.key) ?? [];
    if (list.length === 0) {
      problems.push(`${request.key}: never answered`);
      continue;
    }
    const [first] = list;
    // Refusals for funds only: the cards are funded far above the load.
    if (first.status !== 200) problems.push(`${request.key}: ${first.status} ${first.code}`);
    if (list.some((answer) => answer.status !== first.status || answer.code !== first.code || answer.id !== first.id)) {
      problems.push(`${request.key}: copies answered ${list.map((answer) => `${answer.status} ${answer.id}`).join(', ')}`);
    }
    // A key's first run may have committed with its answer lost (a connection cut, a process killed): then every answer is a replay.
    if (list.filter((answer) => !answer.replayed).length > 1)
      problems.push(`${request.key}: ${list.filter((answer) => !answer.replayed).length} answers not marked replayed`);
    outcome.set(request.key, first);
  }
  expect(problems).toEqual([]);

  // Exactly one operation per key answered 200, the one it answered, found by its mark.
  const byMark = new Map(requests.map((request) => [request.mark, request]));
  const operations = await db.query<{ id: string; mark: string }>(
    'SELECT id, COALESCE(receipt_number, reason) AS mark FROM ledger_operations WHERE receipt_number = ANY($1) OR reason = ANY($1)',
    [[...byMark.keys()]],
  );
  const made = new Map<string, string[]>();
  for (const operation of operations) {
    const key = byMark.get(operation.mark)?.key ?? `unknown ${operation.mark}`;
    made.set(key, [...(made.get(key) ?? []), operation.id]);
  }
  const wrong = requests.filter((request) => {
    const ids = made.get(request.key) ?? [];
    const answered = outcome.get(request.key);
    return answered?.status === 200 ? ids.length !== 1 || ids[0] !== answered.id : ids.length !== 0;
  });
  expect(
    wrong.map(
      (request) =>
        `${request.key}: made ${JSON.stringify(made.get(request.key) ?? [])}, answered ${outcome.get(request.key)?.status} ${outcome.get(request.key)?.id}`,
    ),
  ).toEqual([]);

  // One stored answer per key, the one the clients got; no key left claimed (advisory locks end with their transactions).
  const stored = await db.query<{ key: string; status: number; id: string | null }>(
    "SELECT key, status, answer->'data'->>'id' AS id FROM idempotency_keys WHERE key = ANY($1)",
    [requests.map((request) => request.key)],
  );
  expect(stored.length).toBe(requests.length);
  expect(stored.filter((row) => row.status !== outcome.get(row.key)?.status || row.id !== outcome.get(row.key)?.id)).toEqual([]);
  expect(
    await db.query("SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
  ).toEqual([]);

  // The balances are the setup's plus what the answers say; the invariants hold.
  const expected = new Map(ledger.initial);
  const move = (cardId: string, value: number) => expected.set(cardId, expected.get(cardId)! + value);
  for (const request of requests) {
    if (outcome.get(request.key)?.status !== 200) continue;
    const { value } = request.body.amount;
    if (request.kind === 'credit') move(request.body.cardId, value);
    else move(request.body.cardId, -value);
    if (request.kind === 'payment') move(ledger.station.cardId, value);
  }
  const balances = await db.query<{ card_id: string; posted: string }>(
    `SELECT a.card_id, (CASE WHEN a.stored_balance THEN a.posted ELSE (SELECT COALESCE(sum(e.amount), 0) FROM ledger_entries e WHERE e.account_id = a.id) END)::text AS posted
       FROM ledger_accounts a WHERE a.card_id = ANY($1)`,
    [[...expected.keys()]],
  );
  expect(Object.fromEntries(balances.map((row) => [row.card_id, Number(row.posted)]).sort())).toEqual(Object.fromEntries([...expected].sort()));
  await expectLedgerHolds(db);
}

/** The labels seen during a load, for a failure message or a summary. */
export const seenOf = (result: LoadResult) => Object.fromEntries([...result.seen].sort());
