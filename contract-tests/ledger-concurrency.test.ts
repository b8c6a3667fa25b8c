/**
 * The ledger under concurrency, over real HTTP on PostgreSQL (skipped on PGlite: one session,
 * nothing ever contends). 50 clients fire a seeded mix of payments, fees, regularisation
 * debits and credits and cancellations of earlier operations at 10 shared cards (three of them
 * near zero) and 3 service points, with Idempotency-Keys sent again (at once, so that the
 * copies race, and later; a few with another body) and receipt numbers used again.
 * Afterwards: the invariants hold, no balance is negative, every key answered 200 made exactly
 * one operation, every copy of a key got the same answer, nothing was a 500, and each card's
 * balance is what the answers say it should be.
 *
 * LEDGER_CONCURRENCY_SEED replays a run (the seed is printed with the summary);
 * LEDGER_CONCURRENCY_POOL_SIZE and LEDGER_CONCURRENCY_LOCK_TIMEOUT_MS change the database's.
 */
import { CardService, RechargeMode, RegularisationCreateDirectionEnum } from '../generated/sdk';
import { SYSTEM_ACTORS } from '../src/domain/actor';
import { checkLedger } from '../src/domain/ledger/invariants';
import { createTestDatabase, usingPostgres, type TestDatabase } from './support/database';
import { captured } from './support/log-capture';
import { startTestServer, type TestServer } from './support/server';

const CLIENTS = 50;
const CARDS = 10;
const NEAR_ZERO_CARDS = 3;
const STATIONS = 3;
/** New keys (each its own request); the copies of keys come on top. */
const NEW_REQUESTS = 2200;
const INITIAL = { nearZero: 2_000, funded: 250_000 };
/** Attempts per request while the answer is 409 4030 (in flight) or 503 9998 (busy). */
const MAX_ATTEMPTS = 400;

const seed = Number(process.env.LEDGER_CONCURRENCY_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** mulberry32: a small seeded generator, so that a failing mix can be replayed. */
function generator(state: number) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = generator(seed);
const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

type Kind = 'payment' | 'fee' | 'debit' | 'credit' | 'cancel';

interface Request {
  key: string;
  kind: Kind;
  path: string;
  body: object;
  /** A copy with the key of another request and another body (refused 422 4031, unless it got there first). */
  conflicting?: boolean;
}

interface OperationData {
  id: string;
  type: string;
  amount: { value: number; unit: string };
  debit: { cardId: string | null };
  credit: { cardId: string | null };
  cancels?: string | null;
}

/** The final answer to one sending of a request (after its 4030 and 9998 retries). */
interface Answer {
  conflicting: boolean;
  status: number;
  code: string | null;
  replayed: boolean;
  data: OperationData | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const xof = (value: number) => ({ value, unit: 'XOF' });

const onPostgres = usingPostgres() ? describe : describe.skip;

onPostgres('the ledger under 50 concurrent clients (PostgreSQL only: skipped without DATABASE_URL, PGlite has one session and nothing contends)', () => {
  let server: TestServer;
  let database: TestDatabase;
  let token: string;
  let cards: string[];
  let stations: { id: string; cardId: string }[];
  /** Each card's balance from the setup's credits. */
  const initial = new Map<string, number>();

  beforeAll(async () => {
    // 50 clients on a pool of 5 would mostly measure the pool's queue. The session limits are
    // the server's defaults (src/config.ts) but for a lock timeout of 25 ms instead of 5 s, so
    // that lock timeouts, hence 503 9998 answers retried with their key, happen (about 400 a
    // run here; LEDGER_CONCURRENCY_LOCK_TIMEOUT_MS=5000 runs with the default).
    database = await createTestDatabase({
      poolSize: Number(process.env.LEDGER_CONCURRENCY_POOL_SIZE ?? 20),
      timeouts: { statementTimeoutMs: 15_000, lockTimeoutMs: Number(process.env.LEDGER_CONCURRENCY_LOCK_TIMEOUT_MS ?? 25), idleInTransactionTimeoutMs: 30_000 },
    });
    server = await startTestServer({ database });
    token = await server.coreToken();
    const core = server.sdk({ token });
    const networkId = (await core.coreReferential.createNetwork({ networkCreate: { code: 'RES-CONC', name: 'Réseau concurrence' } })).data.id;
    const clientId = (await core.coreReferential.createClient({ clientCreate: { networkId, code: 'CONC', name: 'Transports concurrents' } })).data.id;
    const profileId = (await core.coreCards.createCardProfile({
      cardProfileCreate: { code: 'CONC', label: 'Flotte', validityMonths: 24, rechargeMode: RechargeMode.Manual, monthlyOfflineCap: xof(50000), allowedServices: [CardService.Shop], allowedUnits: ['XOF'] },
    })).data.id;
    stations = [];
    for (let n = 0; n < STATIONS; n++) {
      const point = (await core.coreReferential.createServicePoint({ servicePointCreate: { code: `STATION-CONC-${n}`, name: `Station ${n}`, address: 'Plateau, Abidjan', networkId } })).data;
      stations.push({ id: point.id, cardId: point.eServiceCard.id });
    }
    cards = [];
    for (let n = 0; n < CARDS; n++) {
      const cardId = (await core.coreCards.issueCard({ cardIssue: { clientId, profileId, holder: { name: `Porteur ${n}`, phone: '+2250707080910' } } })).data.id;
      const value = n < NEAR_ZERO_CARDS ? INITIAL.nearZero : INITIAL.funded;
      await core.coreLedger.createRegularisation({ idempotencyKey: `setup-${n}`, regularisationCreate: { cardId, direction: RegularisationCreateDirectionEnum.Credit, amount: xof(value), reason: 'Solde de départ' } });
      cards.push(cardId);
      initial.set(cardId, value);
    }
    for (const station of stations) initial.set(station.cardId, 0);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.dispose(); // passed in, so ours to close
  });

  it('when 50 clients race payments, fees, regularisations, cancellations and repeated keys on shared cards, then every answer adds up and the ledger holds', async () => {
    const operationsBefore = (await server.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_operations'))[0].n;
    const answers = new Map<string, Answer[]>();
    const requests = new Map<string, Request>();
    /** Every HTTP status seen, with its code ("409 4030"), retries included. */
    const seen = new Map<string, number>();
    const count = (label: string) => seen.set(label, (seen.get(label) ?? 0) + 1);
    const accepted: OperationData[] = []; // first answers of 200, in order
    const cancelTargets: string[] = [];
    const paymentReceipts: { servicePointId: string; receiptNumber: string }[] = [];
    const copies = { racing: 0, later: 0, final: 0, conflicting: 0 };
    const retried = { inFlight: 0, busy: 0, busyKeys: new Set<string>() };
    const failures: string[] = [];

    // Cards near zero get a third of the requests, so that refusals for funds are frequent.
    const someCard = () => (random() < 0.3 ? cards[between(0, NEAR_ZERO_CARDS - 1)] : cards[between(NEAR_ZERO_CARDS, CARDS - 1)]);
    let made = 0;
    const newRequest = (): Request => {
      made += 1;
      const key = `conc-${seed}-${made}`;
      const roll = random();
      if (roll < 0.1 && accepted.length > 0) {
        // Mostly recent operations, sometimes one already being cancelled (two keys race to cancel it).
        const target = random() < 0.2 && cancelTargets.length > 0 ? pick(cancelTargets) : accepted[Math.max(0, accepted.length - 1 - between(0, 60))].id;
        cancelTargets.push(target);
        return { key, kind: 'cancel', path: `/core/v1/operations/${target}/cancel`, body: { reason: 'Annulation de test' } };
      }
      if (roll < 0.55) {
        // A receipt used again with a new key (4022 unless the first was refused): often the last one, likely still in flight.
        const reuse = random() < 0.04 && paymentReceipts.length > 0 ? (random() < 0.5 ? paymentReceipts[paymentReceipts.length - 1] : pick(paymentReceipts)) : null;
        const servicePointId = reuse?.servicePointId ?? pick(stations).id;
        const receiptNumber = reuse?.receiptNumber ?? `T-${seed}-${made}`;
        paymentReceipts.push({ servicePointId, receiptNumber });
        return { key, kind: 'payment', path: '/core/v1/payments', body: { cardId: someCard(), servicePointId, amount: xof(between(200, 3000)), service: 'shop', receiptNumber } };
      }
      if (roll < 0.7) return { key, kind: 'fee', path: '/core/v1/fees', body: { cardId: someCard(), amount: xof(between(50, 500)), reason: 'Frais de test' } };
      if (roll < 0.85) return { key, kind: 'debit', path: '/core/v1/regularisations', body: { cardId: someCard(), direction: 'debit', amount: xof(between(200, 3000)), reason: 'Correction' } };
      return { key, kind: 'credit', path: '/core/v1/regularisations', body: { cardId: someCard(), direction: 'credit', amount: xof(between(200, 2000)), reason: 'Geste commercial' } };
    };

    /** Sends one request, retrying 4030 and 9998 with the same key; records the final answer. */
    const send = async (request: Request): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        let status: number;
        let body: { code?: string; data?: OperationData } | undefined;
        let replayed: boolean;
        try {
          const response = await fetch(server.url + request.path, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': request.key },
            body: JSON.stringify(request.body),
          });
          status = response.status;
          replayed = response.headers.get('idempotent-replayed') === 'true';
          const text = await response.text();
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
        } catch (error) {
          failures.push(`${request.kind} ${request.key}: ${String(error)}`);
          return;
        }
        const code = status === 200 ? null : (body?.code ?? null); // a 200 carries code 0000
        count(`${status}${code ? ` ${code}` : ''}`);
        if (status >= 500 && !(status === 503 && code === '9998')) failures.push(`${request.kind} ${request.key} ${request.path} ${JSON.stringify(request.body)}: ${status} ${JSON.stringify(body)}`);
        const transient = (status === 409 && code === '4030') || (status === 503 && code === '9998');
        if (transient && attempt < MAX_ATTEMPTS) {
          if (status === 503) {
            retried.busy += 1;
            retried.busyKeys.add(request.key);
          } else retried.inFlight += 1;
          await sleep(between(5, 25)); // well under Retry-After: 1, to keep the run short
          continue;
        }
        const answer: Answer = { conflicting: request.conflicting ?? false, status, code, replayed, data: status === 200 ? (body?.data ?? null) : null };
        const list = answers.get(request.key) ?? [];
        list.push(answer);
        answers.set(request.key, list);
        if (status === 200 && !replayed && answer.data) accepted.push(answer.data);
        return;
      }
    };

    /** What the clients take next: the copies waiting to race, else a new request or a later copy. */
    const waiting: Request[] = [];
    const next = (): Request | null => {
      const queued = waiting.shift();
      if (queued) return queued;
      if (made >= NEW_REQUESTS) return null;
      if (made > 50 && random() < 0.08) {
        copies.later += 1;
        return requests.get(`conc-${seed}-${between(1, made)}`)!;
      }
      const request = newRequest();
      requests.set(request.key, request);
      if (random() < 0.08) {
        const extra = between(1, 2);
        copies.racing += extra;
        for (let n = 0; n < extra; n++) waiting.push(request);
      }
      if (random() < 0.015) {
        copies.conflicting += 1;
        const body = request.body as { amount?: { value: number; unit: string }; reason: string };
        waiting.push({ ...request, conflicting: true, body: body.amount ? { ...body, amount: { ...body.amount, value: body.amount.value + 1 } } : { ...body, reason: 'Autre motif' } });
      }
      return request;
    };

    const started = Date.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let request = next(); request; request = next()) await send(request);
      }),
    );
    // Copies sent once everything settled: each must replay its key's first answer.
    const settled = [...requests.values()].filter(() => random() < 0.05);
    copies.final = settled.length;
    await Promise.all(Array.from({ length: 10 }, async (_, lane) => {
      for (let n = lane; n < settled.length; n += 10) await send(settled[n]);
    }));
    const seconds = (Date.now() - started) / 1000;

    // ---- answers
    const sendings = [...answers.values()].reduce((sum, list) => sum + list.length, 0);
    const finals = new Map<string, number>();
    for (const list of answers.values()) for (const answer of list) finals.set(`${answer.status}${answer.code ? ` ${answer.code}` : ''}`, (finals.get(`${answer.status}${answer.code ? ` ${answer.code}` : ''}`) ?? 0) + 1);
    /** The answer of the request that ran with the key (422 4031 went to the copy with the other body). */
    const outcomeOf = (list: Answer[]) => list.find((answer) => answer.code !== '4031') ?? list[0];
    const byKind = new Map<string, number>();
    for (const [key, list] of answers) {
      const outcome = outcomeOf(list);
      const label = `${requests.get(key)!.kind} ${outcome.status}${outcome.code ? ` ${outcome.code}` : ''}`;
      byKind.set(label, (byKind.get(label) ?? 0) + 1);
    }
    const summary = {
      seed, seconds, newKeys: requests.size, sendings, copies, inFlightRetries: retried.inFlight, busyRetries: retried.busy, busyKeys: retried.busyKeys.size,
      operationsMade: accepted.length, rawStatuses: Object.fromEntries([...seen].sort()), finalAnswers: Object.fromEntries([...finals].sort()), firstAnswerByKind: Object.fromEntries([...byKind].sort()),
    };
    process.stdout.write(`ledger-concurrency summary: ${JSON.stringify(summary, null, 1)}\n`);

    // A 500 names its cause only in the server's log: show those lines.
    const systemErrors = captured().lines.filter((line) => /"level":50/.test(line) && !/"msg":"database busy"/.test(line));
    expect(systemErrors).toEqual([]);
    expect(failures).toEqual([]);
    // No 500, and no answer outside what the mix can get (4030 and 9998 were retried until they went).
    const expectedFinal = new Set(['200', '409 4010', '409 4019', '409 4020', '409 4022', '422 4031']);
    expect([...seen.keys()].filter((label) => label.startsWith('5') && label !== '503 9998')).toEqual([]);
    expect([...finals.keys()].filter((label) => !expectedFinal.has(label))).toEqual([]);
    expect(requests.size).toBe(NEW_REQUESTS);
    expect(sendings).toBeGreaterThanOrEqual(2000);

    // Every copy of a key got the first answer, and only the first one ran (the others are replays);
    // the copies with the other body were all refused 422 4031 (or all ran, and the first body was refused).
    const mismatched: string[] = [];
    for (const [key, list] of answers) {
      const winner = outcomeOf(list).conflicting;
      const refused = list.filter((answer) => answer.code === '4031');
      if (refused.some((answer) => answer.conflicting === winner)) mismatched.push(`${key}: 422 4031 for the body that ran`);
      const same = list.filter((answer) => answer.code !== '4031');
      if (same.some((answer) => answer.conflicting !== winner)) mismatched.push(`${key}: both bodies ran`);
      const first = same.find((answer) => !answer.replayed);
      const ran = same.filter((answer) => !answer.replayed).length;
      if (ran !== 1 || !first) mismatched.push(`${key}: ${ran} answers not marked replayed`);
      for (const answer of same) {
        if (first && (answer.status !== first.status || answer.code !== first.code || answer.data?.id !== first.data?.id)) {
          mismatched.push(`${key}: ${answer.status} ${answer.code} ${answer.data?.id} after ${first.status} ${first.code} ${first.data?.id}`);
        }
      }
    }
    expect(mismatched).toEqual([]);

    // Every key answered 200 made exactly one operation, stored with its key; no other operation was made.
    const db = server.database.db;
    const okKeys = [...answers].filter(([, list]) => outcomeOf(list).status === 200).map(([key, list]) => ({ key, id: outcomeOf(list).data!.id }));
    expect(new Set(okKeys.map((ok) => ok.id)).size).toBe(okKeys.length);
    expect(okKeys.length).toBe(accepted.length);
    const [{ n: operationsAfter }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_operations');
    expect(operationsAfter - operationsBefore).toBe(okKeys.length);
    const found = await db.query<{ id: string }>('SELECT id FROM ledger_operations WHERE id = ANY($1)', [okKeys.map((ok) => ok.id)]);
    expect(found.length).toBe(okKeys.length);
    const stored = await db.query<{ key: string; status: number; id: string | null }>(
      "SELECT key, status, answer->'data'->>'id' AS id FROM idempotency_keys WHERE key LIKE $1",
      [`conc-${seed}-%`],
    );
    expect(stored.length).toBe(answers.size); // one row per key, however many copies were sent
    const firstOf = new Map([...answers].map(([key, list]) => [key, outcomeOf(list)]));
    expect(stored.filter((row) => row.status !== firstOf.get(row.key)?.status || (row.status === 200 && row.id !== firstOf.get(row.key)?.data?.id))).toEqual([]);

    // Cancelled operations are exactly those the accepted cancellations name.
    const cancelledByAnswers = accepted.filter((operation) => operation.type === 'cancellation').map((operation) => operation.cancels).sort();
    const cancelledInDb = (await db.query<{ id: string }>("SELECT id FROM ledger_operations WHERE status = 'cancelled' AND id = ANY($1)", [okKeys.map((ok) => ok.id)])).map((row) => row.id).sort();
    expect(cancelledInDb).toEqual(cancelledByAnswers);

    // The invariants hold and no bounded account is below zero.
    expect((await checkLedger(db, SYSTEM_ACTORS.system)).filter((result) => result.violations.length > 0)).toEqual([]);
    expect(await db.query('SELECT id, posted::text, held::text FROM ledger_accounts WHERE non_negative AND (posted < 0 OR posted - held < 0)')).toEqual([]);

    // Each card's balance: its initial credit, minus what the accepted answers debited, plus what they credited.
    const expected = new Map(initial);
    for (const operation of accepted) {
      if (operation.debit.cardId) expected.set(operation.debit.cardId, (expected.get(operation.debit.cardId) ?? 0) - operation.amount.value);
      if (operation.credit.cardId) expected.set(operation.credit.cardId, (expected.get(operation.credit.cardId) ?? 0) + operation.amount.value);
    }
    // An E-service card's balance is the sum of its entries (migration 013).
    const balances = await db.query<{ card_id: string; posted: string }>(
      `SELECT a.card_id, (CASE WHEN a.stored_balance THEN a.posted ELSE (SELECT COALESCE(sum(e.amount), 0) FROM ledger_entries e WHERE e.account_id = a.id) END)::text AS posted
         FROM ledger_accounts a WHERE a.card_id = ANY($1)`,
      [[...initial.keys()]],
    );
    expect(Object.fromEntries(balances.map((row) => [row.card_id, Number(row.posted)]).sort())).toEqual(Object.fromEntries([...expected].sort()));

    // The mix did what it is for.
    expect(finals.get('409 4010') ?? 0).toBeGreaterThan(0);
    expect(accepted.filter((operation) => operation.type === 'cancellation').length).toBeGreaterThan(0);
    expect(copies.racing + copies.later + copies.final).toBeGreaterThan(100);
    expect(finals.get('422 4031') ?? 0).toBeGreaterThan(0);
    // 503 9998 is allowed only when its retry with the same key completed once (checked above for every key).
    expect([...retried.busyKeys].filter((key) => (answers.get(key) ?? []).filter((answer) => !answer.replayed && answer.code !== '4031').length !== 1)).toEqual([]);
  }, 120_000);
});
