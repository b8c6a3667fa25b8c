/**
 * `npm run bench`: throughput, latency and memory of the API against two baselines (a raw
 * node:http and an Express 5 hello-world), on loopback, with autocannon; and the scenarios that
 * have one against their ceiling (`<id>-ceiling`, scripts/bench/ceiling.ts: the same SQL work
 * done the best known way by a minimal node:http + pg server), as a ratio and as goals.
 *
 * Each measurement starts a fresh server process (scripts/bench/server.ts) so the load
 * generator never shares the server's event loop, warms it up, then loads it for a few
 * seconds. Rounds interleave the scenarios (round 1 runs every scenario, then round 2...)
 * so that slow drifts of the machine hit all of them alike; the report gives medians.
 *
 * Database: PostgreSQL when DATABASE_URL is set (a dedicated fresh schema, dropped at the
 * end), else the embedded PGlite in a fresh temporary data directory.
 *
 * Settings (environment, defaults in brackets):
 *   BENCH_DURATION_SECONDS [4], BENCH_WARMUP_SECONDS [2], BENCH_ROUNDS [3], BENCH_CONNECTIONS [50]
 *   BENCH_LOG_LEVEL [silent]     the server's log level (lines go to the terminal)
 *   BENCH_ONLY                   comma-separated scenario ids, e.g. express,me,me-ceiling (a ceiling is <id>-ceiling)
 *   BENCH_QUIET_WAIT_SECONDS [0] before each measurement, wait up to this long for other
 *                                processes to go quiet (shared machines)
 *   BENCH_CPU_PROFILE_DIR        V8 CPU profiles of every server process, in <dir>/<scenario>-round<n>/
 *   BENCH_VOUCHER_RATE [600 on PostgreSQL, 300 on PGlite]  recharge-hot-float, recharge-spread-floats: validated vouchers
 *                                made before each measurement, per second of warm-up and measurement
 *                                (a generous upper bound of its rate: running out answers 409, which
 *                                flags the scenario)
 *   BENCH_WEBHOOK_POLL_MS [100]  webhook-delivery, webhook-delivery-dead-endpoint: the dispatcher's poll interval
 *   BENCH_HISTORY_CARDS [0]      PostgreSQL only: also measure the selected reads and payments (HISTORY_IDS) as
 *                                <id>-history, on a second database whose ledger holds this many more cards with
 *                                ENTRIES_PER_CARD entries each, built by SQL (scripts/bench/history.ts)
 *   BENCH_OUTPUT [bench-results/latest.json]
 * Exits 1 when a scenario is flagged (non-2xx answers or errors: its numbers mean nothing).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { runLoad, type LoadRequest, type LoadResult } from './bench/load';
import type { TargetSpec } from './bench/protocol';
import { prepareDatabase, startTarget, type RunningTarget } from './bench/target';
import { createBenchDatabase, type BenchDatabase } from './bench/database';
import {
  bearerToken,
  type Credentials,
  FLOAT_PARTNERS,
  LEDGER_CARDS,
  LEDGER_SERVICE_POINTS,
  type LedgerFixture,
  ledgerSetup,
  mapConcurrent,
  payment,
  SETUP_CONCURRENCY,
  TOKEN_REQUEST,
  validatedVoucher,
  VOUCHER_LINES,
  xof,
} from './bench/fixture';
import { median } from './bench/stats';
import { CEILING_GOALS, ceilingGoalLines, ceilingIdOf } from './bench/goals';
import { EXPORT_LINES, EXPORT_RSS_GOAL_BYTES, exportCsv, exportDay } from './bench/export';
import { WEBHOOK_P99_GOAL_MS, WEBHOOK_RATE, webhookDelivery } from './bench/webhooks';
import { ENTRIES_PER_CARD, historyTemplate, loadHistory } from './bench/history';

// ---------------------------------------------------------------- settings

function integerSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  return value;
}

const settings = {
  durationSeconds: integerSetting('BENCH_DURATION_SECONDS', 4, 1, 600),
  warmupSeconds: integerSetting('BENCH_WARMUP_SECONDS', 2, 0, 60),
  rounds: integerSetting('BENCH_ROUNDS', 3, 1, 50),
  connections: integerSetting('BENCH_CONNECTIONS', 50, 1, 10_000),
  logLevel: process.env.BENCH_LOG_LEVEL || 'silent',
  only: process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((id) => id.trim()) : null,
  quietWaitSeconds: integerSetting('BENCH_QUIET_WAIT_SECONDS', 0, 0, 3600),
  cpuProfileDir: process.env.BENCH_CPU_PROFILE_DIR ? resolve(process.env.BENCH_CPU_PROFILE_DIR) : undefined,
  voucherRate: integerSetting('BENCH_VOUCHER_RATE', process.env.DATABASE_URL ? 600 : 300, 1, 100_000),
  webhookPollMs: integerSetting('BENCH_WEBHOOK_POLL_MS', 100, 10, 60_000),
  output: resolve(process.env.BENCH_OUTPUT || 'bench-results/latest.json'),
  historyCards: integerSetting('BENCH_HISTORY_CARDS', 0, 0, 10_000_000),
};

// ---------------------------------------------------------------- scenarios

interface Fixture extends Credentials {
  /** An internal back-office application holding every scope (the ledger scenarios). */
  core: Credentials;
  /** What the ledger scenarios pay with and at; made once per run (ledgerSetup), when one is selected. */
  ledger?: LedgerFixture;
  /** Refreshes the database's planner statistics (after the export's bulk load). */
  analyze(): Promise<void>;
}

/** What a scenario's setup made before its measurement: here, validated vouchers to execute. */
interface Prepared {
  orderIds: string[];
  /** Bearer tokens by consumer key, got from an API server (a ceiling issues none). */
  tokens?: Map<string, string>;
  /** A smaller voucher executed before the timed one (the timed scenario's warm-up). */
  warmupOrderId?: string;
}

/** One timed call of a timed scenario. */
interface TimedCall {
  ms: number;
  status: number;
  /** Why the call did not do what it should (e.g. the voucher is not executed), or undefined. */
  failure?: string;
  /** What else the call measured (the export: its lines and the server's idle and peak RSS). */
  figures?: Record<string, number>;
}

interface Scenario {
  /** Stable id, used in the JSON file and by BENCH_ONLY. */
  id: string;
  name: string;
  target: 'node-http' | 'express' | 'api' | 'ceiling';
  /** API only; defaults: validateResponses true, log level BENCH_LOG_LEVEL to the terminal. */
  validateResponses?: boolean;
  /** API only: log at `info` with the lines going to /dev/null (the cost of logging). */
  logToDevNull?: boolean;
  /** The request to repeat, built once the server is up (a read first gets a token). */
  request?(url: string, fixture: Fixture, prepared: Prepared): Promise<LoadRequest>;
  /**
   * A timed scenario (no load) instead of `request`: warms the server up and returns the one
   * call to time per round (the report gives the median and the maximum over rounds).
   */
  timed?(url: string, fixture: Fixture, prepared: Prepared, pid: number): Promise<() => Promise<TimedCall>>;
  /**
   * Work before each measurement, against a separate server process that is stopped before
   * the measured one starts (so neither its CPU nor its memory is counted).
   */
  setup?(url: string, fixture: Fixture): Promise<Prepared>;
  /** Needs the cards and service points of ledgerSetup. */
  ledger?: boolean;
  /** Needs ledgerSetup's VOUCHER_LINES voucher cards. */
  voucherCards?: boolean;
  /** Needs ledgerSetup's FLOAT_PARTNERS funded partner floats. */
  spreadFloats?: boolean;
  /** The server runs the webhook dispatcher (every BENCH_WEBHOOK_POLL_MS). */
  webhooks?: boolean;
  /** Runs on the database with history (BENCH_HISTORY_CARDS), not the fresh one. */
  history?: boolean;
  /**
   * Run after the measurement, on the same server: whether it answered right (the data, the
   * work done); a failure flags the scenario. The ceiling runs the check of its API scenario.
   */
  check?(url: string, fixture: Fixture, prepared: Prepared, request: LoadRequest): Promise<string | undefined>;
}

/** An answer's `data` as the checks read it: any field, and a missing one fails the check (that is what they check). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type Answer = any;

/** A bearer token for `credentials`: the one the setup got (for a ceiling), else a fresh one from the server. */
const tokenFor = async (url: string, credentials: Credentials, prepared: Prepared) =>
  prepared.tokens?.get(credentials.consumerKey) ?? bearerToken(url, credentials);

/** The answer's `data`, or why there is none (an answer other than 200, or no JSON). */
async function answerData(
  url: string,
  request: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ data?: Answer; failure?: string }> {
  const answer = await fetch(url + request.path, { method: request.method, headers: request.headers, body: request.body });
  const text = await answer.text();
  if (answer.status !== 200) return { failure: `check: ${request.method} ${request.path} answered ${answer.status}: ${text.slice(0, 200)}` };
  try {
    return { data: (JSON.parse(text) as { data: unknown }).data };
  } catch {
    return { failure: `check: ${request.method} ${request.path} answered no JSON: ${text.slice(0, 200)}` };
  }
}

/** A read's check: its answer's data (to the load's request, or to the path `vary` gives for `n`) passes `valid`. */
const readCheck =
  (valid: (data: Answer, fixture: Fixture, n: number) => boolean, what: string): Scenario['check'] =>
  async (url, fixture, _prepared, request) => {
    const n = 7;
    const { data, failure } = await answerData(url, { ...request, ...request.vary?.(n) });
    if (failure) return failure;
    return valid(data, fixture, n) ? undefined : `check: ${request.path} did not answer ${what}: ${JSON.stringify(data).slice(0, 300)}`;
  };

/** An authenticated, validated read with a bearer token. */
const read = (id: string, path: string, extra: Partial<Scenario> = {}): Scenario => ({
  id,
  name: `GET ${path}`,
  target: 'api',
  async request(url, fixture, prepared) {
    return { method: 'GET', path, headers: { authorization: `Bearer ${await tokenFor(url, fixture, prepared)}` } };
  },
  ...extra,
});

/** The authenticated reads: each read added to the API is one line here. */
const READS: Scenario[] = [
  read('me', '/partner/v1/me', {
    check: readCheck(
      (data) => typeof data?.partnerId === 'string' && data.scopes?.includes('partner:profile.read') && data.credentials?.length >= 1,
      'the partner with its scopes and credentials',
    ),
  }),
];

const HELLO: LoadRequest = { method: 'GET', path: '/' };

// ---------------------------------------------------------------- ledger scenarios

/**
 * The vouchers recharge-hot-float makes before each measurement: BENCH_VOUCHER_RATE per second
 * of warm-up and measurement, and one more per connection and run (the requests in flight when
 * a run stops are executed but not counted).
 */
const hotFloatVouchers = () => settings.voucherRate * (settings.warmupSeconds + settings.durationSeconds) + 2 * settings.connections;
/** Executes a validated voucher, timed end to end (the HTTP call, its answer read). */
async function executeVoucher(url: string, token: string, orderId: string, lines: number): Promise<TimedCall> {
  const started = performance.now();
  const answer = await fetch(`${url}/core/v1/orders/${orderId}/execute`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomBytes(12).toString('hex') },
    body: '{}',
  });
  const text = await answer.text();
  const ms = performance.now() - started;
  if (answer.status !== 200) return { ms, status: answer.status, failure: `execute answered ${answer.status}: ${text.slice(0, 300)}` };
  const order = (JSON.parse(text) as { data: { status: string; operationIds: string[] } }).data;
  if (order.status !== 'executed' || order.operationIds.length !== lines) {
    return {
      ms,
      status: answer.status,
      failure: `voucher ${orderId} is ${order.status} with ${order.operationIds.length} operations, not executed with ${lines}`,
    };
  }
  return { ms, status: answer.status };
}

/**
 * A money-moving POST repeated with a fresh Idempotency-Key per request (and whatever else
 * `body` varies, e.g. the receipt number), as the back-office application.
 */
const moneyPost = (
  id: string,
  name: string,
  path: string,
  body: (n: number, ledger: LedgerFixture, run: string) => object,
  /** Who posts: the back-office application, or the fixture's 3rd Party API partner. */
  as: 'core' | 'gateway' = 'core',
  /** Checked after the measurement (see paymentCheck). */
  check?: Scenario['check'],
): Scenario => ({
  id,
  name,
  target: 'api',
  ledger: true,
  check,
  async request(url, fixture, prepared) {
    const ledger = fixture.ledger!;
    // Unique across the warm-up, the measurement and every round (the database is shared).
    const run = randomBytes(6).toString('hex');
    return {
      method: 'POST',
      path,
      headers: {
        authorization: `Bearer ${await tokenFor(url, as === 'core' ? fixture.core : ledger.gateway, prepared)}`,
        'content-type': 'application/json',
      },
      vary: (n) => ({ headers: { 'idempotency-key': `${run}-${n}` }, body: JSON.stringify(body(n, ledger, run)) }),
    };
  },
});

/** An authenticated read of a card's balance, as the back-office application or the 3rd Party API partner (cards spread over the fixture's). */
const ledgerRead = (
  id: string,
  name: string,
  path: (cardId: string) => string,
  as: 'core' | 'gateway' = 'core',
  /** What the answer's data must hold, for the card read (checked after the measurement). */
  valid?: (data: Answer, cardId: string) => boolean,
): Scenario => ({
  id,
  name,
  target: 'api',
  ledger: true,
  check: valid && readCheck((data, fixture, n) => valid(data, fixture.ledger!.cards[n % fixture.ledger!.cards.length]), "the card's balances"),
  async request(url, fixture, prepared) {
    const ledger = fixture.ledger!;
    return {
      method: 'GET',
      path: path(ledger.cards[0]),
      headers: { authorization: `Bearer ${await tokenFor(url, as === 'core' ? fixture.core : ledger.gateway, prepared)}` },
      vary: (n) => ({ path: path(ledger.cards[n % ledger.cards.length]) }),
    };
  },
});

/**
 * Executes of validated one-line recharge vouchers, made before each measurement (as many as
 * the warm-up and the measurement can use at BENCH_VOUCHER_RATE), cards in turn, each paid by
 * the float `partnerOf` names: one partner's (the hot debited account) or many.
 */
const rechargeVouchers = (id: string, name: string, partnerOf: (n: number, ledger: LedgerFixture) => string, spreadFloats = false): Scenario => ({
  id,
  name,
  target: 'api',
  ledger: true,
  spreadFloats,
  /** As many validated one-line vouchers as the warm-up and the measurement can use at BENCH_VOUCHER_RATE, cards in turn. */
  async setup(url, fixture) {
    const ledger = fixture.ledger!;
    const token = await bearerToken(url, fixture.core);
    const count = hotFloatVouchers();
    return {
      orderIds: await mapConcurrent(count, SETUP_CONCURRENCY, (n) =>
        validatedVoucher(url, token, ledger, [ledger.cards[n % ledger.cards.length]], partnerOf(n, ledger)),
      ),
    };
  },
  async request(url, fixture, { orderIds }) {
    const run = randomBytes(6).toString('hex');
    const path = (n: number) => `/core/v1/orders/${orderIds[Math.min(n, orderIds.length - 1)]}/execute`;
    let warned = false;
    return {
      method: 'POST',
      path: path(0),
      headers: { authorization: `Bearer ${await bearerToken(url, fixture.core)}`, 'content-type': 'application/json' },
      body: '{}',
      vary: (n) => {
        // Out of vouchers: the last one again, already executed (409), so the scenario is flagged
        // if such an answer arrives within the run (the warning alone may be the requests still in
        // flight when autocannon stops, which are not counted).
        if (n >= orderIds.length && !warned) {
          warned = true;
          process.stderr.write(
            `  ${id}: the ${orderIds.length} vouchers ran out (answers from now on are 409; raise BENCH_VOUCHER_RATE if the scenario is flagged)\n`,
          );
        }
        return { path: path(n), headers: { 'idempotency-key': `${run}-${n}` } };
      },
    };
  },
});

/** A moment for the requests in flight when autocannon stopped (executed, not counted) to end before a check. */
const IN_FLIGHT_MS = 1000;

/**
 * A payment's check, after the measurement: two payments of one card (numbers far past the
 * load's, so fresh keys and receipts), its balance read through GET /core/v1/cards/{cardId}
 * before and after the second: both completed, the balance down by exactly the second's
 * amount, and the first sent again with its key answering the same operation (the idempotency
 * record). A server that answers without posting fails it.
 */
const paymentCheck: Scenario['check'] = async (url, fixture, prepared, request) => {
  const coreToken = await tokenFor(url, fixture.core, prepared);
  const pay = (n: number) => {
    const change = request.vary!(n);
    return answerData(url, {
      method: 'POST',
      path: change.path ?? request.path,
      headers: { ...request.headers, ...change.headers },
      body: change.body ?? request.body,
    });
  };
  const first = LEDGER_CARDS * 10_000; // the same card and station as `second`
  const second = first + LEDGER_CARDS;
  const paid = await pay(first);
  if (paid.failure) return paid.failure;
  const cardId: string | undefined = paid.data?.cardId ?? paid.data?.debit?.cardId;
  const balance = async (): Promise<number | string> => {
    const read = await answerData(url, { method: 'GET', path: `/core/v1/cards/${cardId}`, headers: { authorization: `Bearer ${coreToken}` } });
    return read.failure ?? Number(read.data?.balances?.[0]?.value);
  };
  const before = await balance();
  const again = await pay(second);
  const after = await balance();
  const replay = await pay(first);
  const failure = [again.failure, replay.failure, typeof before === 'string' ? before : undefined, typeof after === 'string' ? after : undefined].find(Boolean);
  if (failure) return failure;
  const amount = Number(again.data?.amount?.value);
  if (paid.data?.status !== 'completed' || again.data?.status !== 'completed' || again.data?.id === paid.data?.id)
    return `check: the payments answered ${JSON.stringify(paid.data).slice(0, 200)} and ${JSON.stringify(again.data).slice(0, 200)}`;
  if ((before as number) - (after as number) !== amount) return `check: card ${cardId}'s balance went from ${before} to ${after} for a payment of ${amount}`;
  if (replay.data?.id !== paid.data.id) return `check: the payment sent again with its key answered ${replay.data?.id}, not ${paid.data.id}`;
  return undefined;
};

const LEDGER_SCENARIOS: Scenario[] = [
  ledgerRead('balance-ledger-accounts', 'GET /core/v1/ledger-accounts?cardId= (balance read)', (cardId) => `/core/v1/ledger-accounts?cardId=${cardId}`),
  ledgerRead(
    'balance-card',
    'GET /core/v1/cards/{id} (balance read)',
    (cardId) => `/core/v1/cards/${cardId}`,
    'core',
    (data, cardId) => data?.id === cardId && typeof data.maskedNumber === 'string' && data.balances?.[0]?.value > 0,
  ),
  ledgerRead(
    'partner-balance',
    "GET /partner/v1/cards/{id} (a partner's balance read)",
    (cardId) => `/partner/v1/cards/${cardId}`,
    'gateway',
    (data, cardId) => data?.id === cardId && data.balances?.[0]?.available > 0,
  ),
  moneyPost(
    'partner-payment',
    `POST /partner/v1/payments, ${LEDGER_CARDS} cards x ${LEDGER_SERVICE_POINTS} stations (a station system, by card number)`,
    '/partner/v1/payments',
    (n, ledger, run) => ({
      cardNumber: ledger.cardNumbers[n % ledger.cardNumbers.length],
      servicePointId: ledger.servicePoints[n % ledger.servicePoints.length],
      amount: xof(1),
      service: 'shop',
      receiptNumber: `P-${run}-${n}`,
      externalReference: `P-${run}-${n}`,
    }),
    'gateway',
    paymentCheck,
  ),
  moneyPost(
    'partner-recharge',
    `POST /partner/v1/recharges, ${LEDGER_CARDS} cards from the partner's float (hot debited account)`,
    '/partner/v1/recharges',
    (n, ledger, run) => ({ cardId: ledger.cards[n % ledger.cards.length], amount: xof(1), externalReference: `R-${run}-${n}` }),
    'gateway',
  ),
  moneyPost(
    'payment-spread',
    `POST /core/v1/payments, ${LEDGER_CARDS} cards x ${LEDGER_SERVICE_POINTS} stations`,
    '/core/v1/payments',
    (n, ledger, run) => payment(ledger.cards[n % ledger.cards.length], ledger.servicePoints[n % ledger.servicePoints.length], `B-${run}-${n}`),
    'core',
    paymentCheck,
  ),
  moneyPost(
    'payment-hot-station',
    `POST /core/v1/payments, ${LEDGER_CARDS} cards at 1 station (hot credited card)`,
    '/core/v1/payments',
    (n, ledger, run) => payment(ledger.cards[n % ledger.cards.length], ledger.servicePoints[0], `H-${run}-${n}`),
    'core',
    paymentCheck,
  ),
  moneyPost('fee-spread', `POST /core/v1/fees, ${LEDGER_CARDS} cards to fee revenue (hot, unbounded)`, '/core/v1/fees', (n, ledger) => ({
    cardId: ledger.cards[n % ledger.cards.length],
    amount: xof(1),
    reason: 'Frais de benchmark',
  })),
  moneyPost(
    'regularisation-hot-card',
    'POST /core/v1/regularisations, credits onto 1 card (hot bounded account)',
    '/core/v1/regularisations',
    (_n, ledger) => ({ cardId: ledger.cards[0], direction: 'credit', amount: xof(1), reason: 'Régularisation de benchmark' }),
  ),
  rechargeVouchers(
    'recharge-hot-float',
    `POST /core/v1/orders/{id}/execute, 1-line recharges of ${LEDGER_CARDS} cards from 1 partner float (hot debited account)`,
    (_n, ledger) => ledger.floatPartnerId,
  ),
  rechargeVouchers(
    'recharge-spread-floats',
    `POST /core/v1/orders/{id}/execute, 1-line recharges of ${LEDGER_CARDS} cards from ${FLOAT_PARTNERS} partner floats`,
    (n, ledger) => ledger.spreadPartnerIds[n % ledger.spreadPartnerIds.length],
    true,
  ),
  {
    id: 'voucher-1000',
    name: `POST /core/v1/orders/{id}/execute, one ${VOUCHER_LINES.toLocaleString('en')}-card recharge voucher (timed: median, max ms)`,
    target: 'api',
    ledger: true,
    voucherCards: true,
    /** The round's voucher (a new one each round, the same cards), and a 10-line one to warm the server up. */
    async setup(url, fixture) {
      const ledger = fixture.ledger!;
      const token = await bearerToken(url, fixture.core);
      const warmupOrderId = settings.warmupSeconds > 0 ? await validatedVoucher(url, token, ledger, ledger.voucherCards.slice(0, 10)) : undefined;
      return { orderIds: [await validatedVoucher(url, token, ledger, ledger.voucherCards)], warmupOrderId };
    },
    async timed(url, fixture, prepared) {
      const token = await bearerToken(url, fixture.core);
      if (prepared.warmupOrderId) {
        const warmUp = await executeVoucher(url, token, prepared.warmupOrderId, 10);
        if (warmUp.failure) throw new Error(`warm-up: ${warmUp.failure}`);
      }
      return () => executeVoucher(url, token, prepared.orderIds[0], VOUCHER_LINES);
    },
  },
];

const EXPORT_SCENARIO: Scenario = {
  id: 'export-day',
  name: `GET /core/v1/operations as CSV, a day of ${EXPORT_LINES.toLocaleString('en')} lines (timed: median, max ms)`,
  target: 'api',
  ledger: true,
  voucherCards: true,
  /** The day's operations, made once per run (the first round's setup). */
  async setup(url, fixture) {
    await exportDay(url, await bearerToken(url, fixture.core), fixture.ledger!, () => fixture.analyze());
    return { orderIds: [] };
  },
  async timed(url, fixture, _prepared, pid) {
    const token = await bearerToken(url, fixture.core);
    const day = await exportDay(url, token, fixture.ledger!, () => fixture.analyze());
    // Warm-up: a small export (the first page of another type), so that idle is after the code is loaded.
    await (await fetch(`${url}/core/v1/operations?type=fee`, { headers: { authorization: `Bearer ${token}`, accept: 'text/csv' } })).text();
    return async () => {
      const figures = await exportCsv(url, token, day, pid);
      const failure =
        figures.status !== 200 ? `answered ${figures.status}` : figures.lines < EXPORT_LINES ? `${figures.lines} lines, not ${EXPORT_LINES}` : undefined;
      return { ms: figures.ms, status: figures.status, failure, figures: { ...figures } };
    };
  },
};

/** Webhook delivery at WEBHOOK_RATE events a second (scripts/bench/webhooks.ts); the call's time is the p99 lag. */
const webhookScenario = (id: string, dead: boolean): Scenario => ({
  id,
  name: `webhook delivery at ${WEBHOOK_RATE} events/s, polling every ${settings.webhookPollMs} ms${dead ? ', beside an endpoint that never answers' : ''} (timed: p99 lag ms)`,
  target: 'api',
  ledger: true,
  webhooks: true,
  async timed(url, fixture) {
    const token = await bearerToken(url, fixture.core);
    // The warm-up: the same load and deliveries (its figures left out), so that the measurement is of a warm server.
    await webhookDelivery(url, token, fixture.ledger!, settings.warmupSeconds, dead);
    return async () => {
      const figures = await webhookDelivery(url, token, fixture.ledger!, settings.durationSeconds, dead);
      const failure = figures.delivered < figures.events ? `${figures.events - figures.delivered} of ${figures.events} events not delivered` : undefined;
      return { ms: figures.p99LagMs, status: 200, failure, figures: { ...figures } };
    };
  },
});

/** The scenarios measured beside a ceiling: the goals' (scripts/bench/goals.ts), and the hot station (the same endpoint as spread payments). */
const WITH_CEILING = new Set([...CEILING_GOALS.map((goal) => goal.id), 'payment-hot-station']);

/**
 * The ceiling of an API scenario (`<id>-ceiling`): the same requests and check, against the
 * ceiling server (scripts/bench/ceiling.ts), with bearer tokens got from an API server first.
 */
const ceilingOf = (scenario: Scenario): Scenario => ({
  ...scenario,
  id: ceilingIdOf(scenario.id),
  name: `ceiling of ${scenario.id} (node:http + pg, its SQL batched per turn${scenario.id.includes('payment') ? ', the posting one SQL function' : ''})`,
  target: 'ceiling',
  async setup(url, fixture) {
    const holders = [fixture, fixture.core, ...(fixture.ledger ? [fixture.ledger.gateway] : [])];
    return { orderIds: [], tokens: new Map(await Promise.all(holders.map(async (holder) => [holder.consumerKey, await bearerToken(url, holder)] as const))) };
  },
});

const ALL_SCENARIOS: Scenario[] = (<Scenario[]>[
  { id: 'node-http', name: 'baseline node:http hello-world', target: 'node-http', request: async () => HELLO },
  { id: 'express', name: 'baseline Express 5 hello-world', target: 'express', request: async () => HELLO },
  { id: 'token', name: 'POST /oauth/token (Basic, form)', target: 'api', request: async (_url, fixture) => TOKEN_REQUEST(fixture) },
  ...READS,
  read('me-no-response-validation', '/partner/v1/me', { name: 'GET /partner/v1/me, validateResponses false', validateResponses: false }),
  read('me-log-info', '/partner/v1/me', { name: 'GET /partner/v1/me, log info to /dev/null', logToDevNull: true }),
  ...LEDGER_SCENARIOS,
  EXPORT_SCENARIO,
  webhookScenario('webhook-delivery', false),
  webhookScenario('webhook-delivery-dead-endpoint', true),
]).flatMap((scenario) => (WITH_CEILING.has(scenario.id) ? [scenario, ceilingOf(scenario)] : [scenario]));
/** The scenarios measured again on a ledger with history (BENCH_HISTORY_CARDS): the goals' reads and payments, and the hot station. */
const HISTORY_IDS = new Set(['me', 'balance-card', 'partner-balance', 'payment-spread', 'payment-hot-station', 'partner-payment']);
/** The id of a scenario measured on the ledger with history. */
const historyIdOf = (id: string) => `${id}-history`;
const historyOf = (scenario: Scenario): Scenario => ({
  ...scenario,
  id: historyIdOf(scenario.id),
  name: `${scenario.name}, ledger with history`,
  history: true,
});
const SCENARIOS = ALL_SCENARIOS.filter((scenario) => !settings.only || settings.only.includes(scenario.id)).flatMap((scenario) =>
  settings.historyCards > 0 && HISTORY_IDS.has(scenario.id) ? [scenario, historyOf(scenario)] : [scenario],
);

// ---------------------------------------------------------------- measurement

interface Measurement extends LoadResult {
  round: number;
  peakRssBytes: number;
  /** CPU time of the server process per answered request during the measurement, in microseconds. */
  serverCpuMicrosPerRequest: number;
  /**
   * CPU used during the measurement by everything but the server and the load generator, in
   * cores: the database server's work, and anything else running on the machine (which makes
   * the numbers unreliable). Linux only.
   */
  otherCpuCores: number | null;
  /** A timed scenario's call, in milliseconds (its req/s is NaN). */
  callMs?: number;
  /** What else a timed call measured. */
  figures?: Record<string, number>;
  /** Set when the scenario's request could not even be prepared (e.g. no token), or a timed call failed. */
  failure?: string;
}

/** Busy CPU time of the whole machine so far, in microseconds (Linux); null elsewhere. */
function machineBusyMicros(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields; // idle and iowait are not busy
    return ((user + nice + system + irq + softirq + steal) / 100) * 1e6; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * On a shared machine, waits (up to BENCH_QUIET_WAIT_SECONDS) until other processes use less
 * than a fifth of a core, so that a measurement does not start in the middle of someone
 * else's build. Returns false when the machine stayed busy.
 */
async function waitForQuietMachine(): Promise<boolean> {
  const deadline = Date.now() + settings.quietWaitSeconds * 1000;
  for (;;) {
    const before = machineBusyMicros();
    await sleep(1000);
    const after = machineBusyMicros();
    if (before === null || after === null || (after - before) / 1e6 < 0.2) return true;
    if (Date.now() >= deadline) return false;
    process.stderr.write('  (machine busy, waiting)\n');
    await sleep(4000);
  }
}

/** A silent API server process for a setup, stopped once `work` is done. */
async function onSetupServer<T>(database: BenchDatabase, work: (url: string) => Promise<T>): Promise<T> {
  const setup = await startTarget({ kind: 'api', ...database.spec, logLevel: 'silent', validateResponses: true }, { stdout: 'inherit' });
  try {
    return await work(setup.url);
  } finally {
    await setup.stop();
  }
}

/** What one measurement found, before the server is stopped (its peak RSS). */
type Measured = Omit<Measurement, 'round' | 'peakRssBytes'>;

/** CPU of the server, the load generator and the machine around `work`. */
async function withCpu<T extends { totalRequests: number }>(
  target: RunningTarget,
  work: () => Promise<T>,
): Promise<T & Pick<Measurement, 'serverCpuMicrosPerRequest' | 'otherCpuCores'>> {
  const serverBefore = await target.cpuMicros();
  const loadBefore = process.cpuUsage();
  const machineBefore = machineBusyMicros();
  const started = process.hrtime.bigint();
  const result = await work();
  const elapsedMicros = Number(process.hrtime.bigint() - started) / 1e3;
  const machineAfter = machineBusyMicros();
  const load = process.cpuUsage(loadBefore);
  const server = (await target.cpuMicros()) - serverBefore;
  const loadGenerator = load.user + load.system;
  return {
    ...result,
    serverCpuMicrosPerRequest: server / result.totalRequests,
    otherCpuCores: machineBefore === null || machineAfter === null ? null : Math.max(0, machineAfter - machineBefore - server - loadGenerator) / elapsedMicros,
  };
}

async function loadMeasurement(scenario: Scenario, target: RunningTarget, fixture: Fixture, prepared: Prepared): Promise<Measured> {
  const request = await scenario.request!(target.url, fixture, prepared);
  if (settings.warmupSeconds > 0) await runLoad(target.url, request, settings.warmupSeconds, settings.connections);
  const measured = await withCpu(target, () => runLoad(target.url, request, settings.durationSeconds, settings.connections));
  if (!scenario.check) return measured;
  await sleep(IN_FLIGHT_MS);
  const failure = await scenario.check(target.url, fixture, prepared, request);
  return failure ? { ...measured, failure } : measured;
}

/** A timed scenario's one call: p50 and p99 are its time (one sample), req/s is not measured. */
async function timedMeasurement(scenario: Scenario, target: RunningTarget, fixture: Fixture, prepared: Prepared): Promise<Measured> {
  const call = await scenario.timed!(target.url, fixture, prepared, target.pid);
  const measured = await withCpu(target, async () => ({ ...(await call()), totalRequests: 1 }));
  const ok = measured.status >= 200 && measured.status < 300;
  return {
    requestsPerSecond: NaN,
    p50Ms: measured.ms,
    p99Ms: measured.ms,
    callMs: measured.ms,
    non2xx: ok ? 0 : 1,
    statusCounts: ok ? {} : { [measured.status]: 1 },
    errors: 0,
    totalRequests: 1,
    serverCpuMicrosPerRequest: measured.serverCpuMicrosPerRequest,
    otherCpuCores: measured.otherCpuCores,
    ...(measured.failure ? { failure: measured.failure } : {}),
    ...(measured.figures ? { figures: measured.figures } : {}),
  };
}

async function measure(scenario: Scenario, round: number, database: BenchDatabase, fixture: Fixture): Promise<Measurement> {
  const spec: TargetSpec = {
    kind: scenario.target,
    ...database.spec,
    logLevel: scenario.logToDevNull ? 'info' : settings.logLevel,
    validateResponses: scenario.validateResponses ?? true,
    ...(scenario.webhooks ? { webhookPollMs: settings.webhookPollMs } : {}),
  };
  let target: RunningTarget | undefined;
  try {
    const setupStarted = Date.now();
    const prepared = scenario.setup ? await onSetupServer(database, (url) => scenario.setup!(url, fixture)) : { orderIds: [] };
    if (prepared.orderIds.length > 0)
      process.stderr.write(`  (${scenario.id} setup: ${prepared.orderIds.length} vouchers in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s)\n`);
    if (settings.quietWaitSeconds > 0) await waitForQuietMachine();
    target = await startTarget(spec, {
      stdout: scenario.logToDevNull ? 'ignore' : 'inherit',
      cpuProfileDir: settings.cpuProfileDir ? join(settings.cpuProfileDir, `${scenario.id}-round${round}`) : undefined,
    });
    const measured = scenario.timed ? await timedMeasurement(scenario, target, fixture, prepared) : await loadMeasurement(scenario, target, fixture, prepared);
    const running = target;
    target = undefined;
    return { round, ...measured, peakRssBytes: await running.stop() };
  } catch (error) {
    const peakRssBytes = target ? await target.stop().catch(() => NaN) : NaN;
    return {
      round,
      requestsPerSecond: 0,
      p50Ms: NaN,
      p99Ms: NaN,
      non2xx: 0,
      statusCounts: {},
      errors: 1,
      totalRequests: 0,
      serverCpuMicrosPerRequest: NaN,
      otherCpuCores: null,
      peakRssBytes,
      failure: String((error as Error)?.message ?? error),
    };
  }
}

// ---------------------------------------------------------------- report

/**
 * Median over rounds of a per-round comparison of two scenarios (measured in the same round,
 * a minute apart at most, so that drifts of the machine affect both alike).
 */
function pairedMedian(
  results: Map<string, Measurement[]>,
  a: string,
  b: string,
  compare: (a: number, b: number) => number,
  metric: (measurement: Measurement) => number = (measurement) => measurement.requestsPerSecond,
): number | null {
  const left = results.get(a);
  const right = results.get(b);
  if (!left || !right) return null;
  const value = median(left.map((measurement, index) => compare(metric(measurement), right[index] ? metric(right[index]) : NaN)));
  return Number.isNaN(value) ? null : value;
}

interface ScenarioSummary {
  id: string;
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Over all rounds. */
  non2xx: number;
  errors: number;
  statusCounts: Record<string, number>;
  /** req/s divided by the baseline's, median of the per-round ratios. */
  ratioToNodeHttp: number | null;
  ratioToExpress: number | null;
  /** req/s divided by its ceiling's (`<id>-ceiling`, same round), median of the per-round ratios; null without one. */
  ratioToCeiling: number | null;
  /** A `-history` scenario's req/s divided by the same scenario's on the fresh ledger (same round), median of the per-round ratios; else null. */
  ratioToFreshLedger: number | null;
  peakRssMb: number;
  /** Server CPU time (user + system) per request, in microseconds. */
  serverCpuMicrosPerRequest: number;
  /** A timed scenario's call over the rounds, in milliseconds (the table's p50 and p99 columns show them); null for a load. */
  timedMs: { median: number; max: number } | null;
  /** Why the numbers cannot be trusted (non-2xx answers, errors), or null. */
  flag: string | null;
  rounds: Measurement[];
}

function summarise(scenario: Scenario, results: Map<string, Measurement[]>): ScenarioSummary {
  const rounds = results.get(scenario.id) ?? [];
  const statusCounts: Record<string, number> = {};
  for (const round of rounds) for (const [status, count] of Object.entries(round.statusCounts)) statusCounts[status] = (statusCounts[status] ?? 0) + count;
  const non2xx = rounds.reduce((sum, round) => sum + round.non2xx, 0);
  const errors = rounds.reduce((sum, round) => sum + round.errors, 0);
  const failures = rounds.flatMap((round) => (round.failure ? [round.failure] : []));
  const problems = [
    ...(non2xx > 0
      ? [
          `${non2xx} non-2xx (${Object.entries(statusCounts)
            .map(([status, count]) => `${status}x${count}`)
            .join(', ')})`,
        ]
      : []),
    ...(errors > 0 ? [`${errors} errors`] : []),
    ...failures,
  ];
  return {
    id: scenario.id,
    name: scenario.name,
    requestsPerSecond: median(rounds.map((round) => round.requestsPerSecond)),
    p50Ms: median(rounds.map((round) => round.p50Ms)),
    p99Ms: median(rounds.map((round) => round.p99Ms)),
    non2xx,
    errors,
    statusCounts,
    ratioToNodeHttp: pairedMedian(results, scenario.id, 'node-http', (a, b) => a / b),
    ratioToExpress: pairedMedian(results, scenario.id, 'express', (a, b) => a / b),
    ratioToCeiling: pairedMedian(results, scenario.id, ceilingIdOf(scenario.id), (a, b) => a / b),
    ratioToFreshLedger: scenario.history ? pairedMedian(results, scenario.id, scenario.id.slice(0, -'-history'.length), (a, b) => a / b) : null,
    peakRssMb: median(rounds.map((round) => round.peakRssBytes)) / 2 ** 20,
    serverCpuMicrosPerRequest: median(rounds.map((round) => round.serverCpuMicrosPerRequest)),
    timedMs: scenario.timed
      ? { median: median(rounds.map((round) => round.callMs ?? NaN)), max: Math.max(...rounds.map((round) => round.callMs ?? NaN)) }
      : null,
    flag: problems.length > 0 ? problems.join('; ') : null,
    rounds,
  };
}

/**
 * The ledger's speed goals, against the Express hello-world of the same run: met
 * or missed, never a failure of the run (goals live in docs/benchmarks.md, not in tests).
 */
function ledgerGoals(
  summaries: ScenarioSummary[],
  derived: {
    hotStationToSpreadPayments: number | null;
    hotFloatToSpreadPayments: number | null;
    hotFloatToSpreadFloats: number | null;
    hotCardToSpreadFees: number | null;
    partnerRechargeToSpreadPayments: number | null;
    partnerPaymentToSpreadPayments: number | null;
  },
): string[] {
  const byId = new Map(summaries.map((summary) => [summary.id, summary]));
  const verdict = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? 'met' : 'MISSED');
  const lines: string[] = [];
  // The reads' and spread payments' goals are against their ceilings (scripts/bench/goals.ts), not Express.
  if (byId.has('payment-hot-station')) {
    const ratio = derived.hotStationToSpreadPayments;
    lines.push(`goal hot-station payments >= 0.8x spread payments: ${fixed(ratio, 2)}x, ${verdict(ratio === null ? null : ratio >= 0.8)}`);
  }
  if (byId.has('recharge-hot-float')) {
    const ratio = derived.hotFloatToSpreadPayments;
    lines.push(`goal hot-float recharges >= 0.8x spread payments: ${fixed(ratio, 2)}x, ${verdict(ratio === null ? null : ratio >= 0.8)}`);
  }
  if (byId.has('partner-recharge')) {
    const ratio = derived.partnerRechargeToSpreadPayments;
    lines.push(
      `goal hot-float recharges >= 0.8x spread payments, measured on a partner's direct recharge: ${fixed(ratio, 2)}x, ${verdict(ratio === null ? null : ratio >= 0.8)}`,
    );
  }
  if (derived.partnerPaymentToSpreadPayments !== null)
    lines.push(`(no goal) a partner's payments per Core API payment: ${fixed(derived.partnerPaymentToSpreadPayments, 2)}x`);
  const voucher = byId.get('voucher-1000')?.timedMs;
  if (voucher) {
    const measured = !Number.isNaN(voucher.median);
    lines.push(
      `goal ${VOUCHER_LINES.toLocaleString('en')}-card voucher executed in < 2 s: median ${fixed(voucher.median, 0)} ms, max ${fixed(voucher.max, 0)} ms, ` +
        `${verdict(measured ? voucher.median < 2000 : null)}${measured && voucher.median < 2000 && voucher.max >= 2000 ? ' (but not in every round)' : ''}`,
    );
  }
  const exported = byId.get('export-day');
  if (exported) {
    const growths = exported.rounds.map((round) => (round.figures ? round.figures.peakRssBytes - round.figures.idleRssBytes : NaN));
    const growth = median(growths);
    const worst = Math.max(...growths);
    const figure = (name: string) => median(exported.rounds.map((round) => round.figures?.[name] ?? NaN));
    lines.push(
      `goal CSV export in constant memory, peak RSS within ${EXPORT_RSS_GOAL_BYTES / 2 ** 20} MB of idle: ${fixed(figure('lines'), 0)} lines, ` +
        `${fixed(figure('bytes') / 2 ** 20, 1)} MB of CSV in ${fixed(figure('ms'), 0)} ms; idle ${fixed(figure('idleRssBytes') / 2 ** 20, 0)} MB, ` +
        `peak ${fixed(figure('peakRssBytes') / 2 ** 20, 0)} MB (${fixed(figure('peakRssAtTenthBytes') / 2 ** 20, 0)} MB by the first tenth of the lines), +${fixed(growth / 2 ** 20, 1)} MB ` +
        `(worst round +${fixed(worst / 2 ** 20, 1)} MB), ${verdict(Number.isNaN(growth) ? null : growth <= EXPORT_RSS_GOAL_BYTES)}` +
        `${growth <= EXPORT_RSS_GOAL_BYTES && worst > EXPORT_RSS_GOAL_BYTES ? ' (but not in every round)' : ''}`,
    );
  }
  if (derived.hotFloatToSpreadFloats !== null)
    lines.push(`(no goal) recharges from one partner float per recharge from ${FLOAT_PARTNERS} floats: ${fixed(derived.hotFloatToSpreadFloats, 2)}x`);
  if (derived.hotCardToSpreadFees !== null) lines.push(`(no goal) credits onto one card per spread fee: ${fixed(derived.hotCardToSpreadFees, 2)}x`);
  return lines;
}

/** What history may cost: each `-history` scenario at least this fraction of the same scenario on a fresh ledger. */
const HISTORY_GOAL_RATIO = 0.9;

/** The history goal, per scenario measured on both ledgers. */
function historyGoals(summaries: ScenarioSummary[]): string[] {
  const byId = new Map(summaries.map((summary) => [summary.id, summary]));
  return summaries
    .filter((summary) => summary.id.endsWith('-history'))
    .map((summary) => {
      const fresh = byId.get(summary.id.slice(0, -'-history'.length));
      const ratio = summary.ratioToFreshLedger;
      const verdict = summary.flag || fresh?.flag ? 'not measured (flagged)' : ratio === null ? 'not measured' : ratio >= HISTORY_GOAL_RATIO ? 'met' : 'MISSED';
      return (
        `goal ${summary.id}: >= ${HISTORY_GOAL_RATIO}x on a ledger with ${(settings.historyCards * ENTRIES_PER_CARD).toLocaleString('en')} more entries and ` +
        `${settings.historyCards.toLocaleString('en')} more cards than on a fresh one: ${fixed(ratio, 2)}x ` +
        `(p99 ${fixed(summary.p99Ms, 2)} ms, fresh ${fixed(fresh?.p99Ms ?? null, 2)} ms), ${verdict}`
      );
    });
}

/** The webhook goal: the healthy endpoint's p99 lag, alone and beside a dead endpoint (medians over rounds). */
function webhookGoals(summaries: ScenarioSummary[]): string[] {
  return summaries
    .filter((summary) => summary.id.startsWith('webhook-'))
    .map((summary) => {
      const figure = (name: string) => median(summary.rounds.map((round) => round.figures?.[name] ?? NaN));
      const p99 = figure('p99LagMs');
      return (
        `goal ${summary.name}: p99 lag < ${WEBHOOK_P99_GOAL_MS} ms: ${fixed(figure('eventsPerSecond'), 0)} events/s, ${fixed(figure('deliveredPerSecond'), 0)} delivered/s, ` +
        `lag p50 ${fixed(figure('p50LagMs'), 0)} ms, p99 ${fixed(p99, 0)} ms, max ${fixed(figure('maxLagMs'), 0)} ms, ` +
        `${Number.isNaN(p99) ? 'not measured' : p99 < WEBHOOK_P99_GOAL_MS ? 'met' : 'MISSED'}`
      );
    });
}

const fixed = (value: number | null, digits: number) => (value === null || Number.isNaN(value) ? '-' : value.toFixed(digits));

function table(summaries: ScenarioSummary[]): string {
  const header = [
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'non-2xx+err',
    'x node:http',
    'x express',
    'x ceiling',
    'x fresh ledger',
    'server CPU µs/req',
    'peak RSS MB',
    'flag',
  ];
  const rows = summaries.map((summary) => [
    summary.name,
    fixed(summary.requestsPerSecond, 0),
    summary.timedMs ? fixed(summary.timedMs.median, 0) : fixed(summary.p50Ms, 2),
    summary.timedMs ? fixed(summary.timedMs.max, 0) : fixed(summary.p99Ms, 2),
    String(summary.non2xx + summary.errors),
    fixed(summary.ratioToNodeHttp, 2),
    fixed(summary.ratioToExpress, 2),
    fixed(summary.ratioToCeiling, 2),
    fixed(summary.ratioToFreshLedger, 2),
    fixed(summary.serverCpuMicrosPerRequest, 0),
    fixed(summary.peakRssMb, 0),
    summary.flag ? `FLAGGED: ${summary.flag}` : '',
  ]);
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

// ---------------------------------------------------------------- main

/** A database of the run and what its scenarios use, made through the API (and, for the history's, by SQL). */
interface Bench {
  database: BenchDatabase;
  fixture: Fixture;
}

/** Migrates `database`, creates the partners and, when a selected scenario needs it, the ledger fixture. */
async function prepareBench(database: BenchDatabase, scenarios: Scenario[]): Promise<Fixture> {
  const fixture: Fixture = {
    ...(await prepareDatabase({ ...database.spec, logLevel: 'silent', validateResponses: true })),
    analyze: () => database.analyze(),
  };
  if (scenarios.some((scenario) => scenario.ledger)) {
    const setup = await startTarget({ kind: 'api', ...database.spec, logLevel: 'silent', validateResponses: true }, { stdout: 'inherit' });
    try {
      fixture.ledger = await ledgerSetup(setup.url, fixture.core, {
        voucherCards: scenarios.some((scenario) => scenario.voucherCards),
        spreadFloats: scenarios.some((scenario) => scenario.spreadFloats),
      });
    } finally {
      await setup.stop();
    }
  }
  return fixture;
}

/** The second database: the same fixture, then BENCH_HISTORY_CARDS cards of history loaded by SQL. */
async function prepareHistory(database: BenchDatabase, scenarios: Scenario[]): Promise<Fixture> {
  if (!database.spec.databaseUrl) throw new Error('BENCH_HISTORY_CARDS needs PostgreSQL (DATABASE_URL): PGlite is for the zero-setup default');
  const fixture = await prepareBench(database, [...scenarios, { id: 'history', name: 'history', target: 'api', ledger: true }]);
  const template = await onSetupServer(database, (url) => historyTemplate(url, fixture.core, fixture.ledger!));
  await loadHistory(database.spec.databaseUrl, template, fixture.ledger!, settings.historyCards, (line) => process.stderr.write(`  (${line})\n`));
  return fixture;
}

async function main(): Promise<void> {
  if (SCENARIOS.length === 0) throw new Error(`BENCH_ONLY matches no scenario`);
  const fresh = SCENARIOS.filter((scenario) => !scenario.history);
  const withHistory = SCENARIOS.filter((scenario) => scenario.history);
  const databases = [await createBenchDatabase(), ...(withHistory.length > 0 ? [await createBenchDatabase()] : [])];
  const [database, historyDatabase] = databases;
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    for (const each of databases) await each.dispose().catch((error) => process.stderr.write(`could not clean the benchmark database: ${String(error)}\n`));
  };
  process.once('SIGINT', () => void dispose().finally(() => process.exit(130)));

  try {
    const perMeasurement = settings.warmupSeconds + settings.durationSeconds + 2;
    // Setups: about 150 validated vouchers a second on a 2-core machine (PostgreSQL), and a few seconds for the big voucher.
    const setupSeconds = SCENARIOS.reduce(
      (sum, scenario) => sum + (scenario.id.startsWith('recharge-') ? hotFloatVouchers() / 150 : scenario.id === 'export-day' ? 60 : scenario.setup ? 5 : 0),
      0,
    );
    process.stderr.write(
      `bench: ${SCENARIOS.length} scenarios x ${settings.rounds} rounds, ${settings.durationSeconds} s each (+${settings.warmupSeconds} s warm-up), ` +
        `${settings.connections} connections, ${database.version}; about ${Math.ceil((settings.rounds * (SCENARIOS.length * perMeasurement + setupSeconds)) / 60)} min\n`,
    );
    const benches: { fresh: Bench; history?: Bench } = { fresh: { database, fixture: await prepareBench(database, fresh) } };
    if (historyDatabase) benches.history = { database: historyDatabase, fixture: await prepareHistory(historyDatabase, withHistory) };
    const results = new Map<string, Measurement[]>(SCENARIOS.map((scenario) => [scenario.id, []]));
    for (let round = 1; round <= settings.rounds; round++) {
      for (const scenario of SCENARIOS) {
        const bench = scenario.history ? benches.history! : benches.fresh;
        const measurement = await measure(scenario, round, bench.database, bench.fixture);
        results.get(scenario.id)!.push(measurement);
        const speed = scenario.timed
          ? `${fixed(measurement.callMs ?? NaN, 0).padStart(7)} ms per call`
          : `${measurement.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${fixed(measurement.p99Ms, 2).padStart(7)} ms`;
        process.stderr.write(
          `  round ${round} ${scenario.id.padEnd(28)} ${speed}` +
            `  other CPU ${measurement.otherCpuCores?.toFixed(2) ?? '-'} cores` +
            `${measurement.non2xx || measurement.errors ? `  non-2xx ${measurement.non2xx} errors ${measurement.errors}` : ''}${measurement.failure ? `  ${measurement.failure}` : ''}\n`,
        );
      }
    }

    const summaries = SCENARIOS.map((scenario) => summarise(scenario, results));
    const lossPercent = (reference: number, other: number) => ((reference - other) / reference) * 100;
    const extraPercent = (reference: number, other: number) => ((other - reference) / reference) * 100;
    const cpuPerRequest = (measurement: Measurement) => measurement.serverCpuMicrosPerRequest;
    const derived = {
      /** Throughput lost by validating responses: (req/s without - req/s with) / req/s without. */
      responseValidationCostPercent: pairedMedian(results, 'me-no-response-validation', 'me', lossPercent),
      /** Server CPU per request added by validating responses (steadier than throughput on a busy machine). */
      responseValidationCpuPercent: pairedMedian(results, 'me-no-response-validation', 'me', extraPercent, cpuPerRequest),
      /** Throughput lost by logging every request at info (to /dev/null) instead of BENCH_LOG_LEVEL. */
      loggingCostPercent: pairedMedian(results, 'me', 'me-log-info', lossPercent),
      /** Server CPU per request added by that logging. */
      loggingCpuPercent: pairedMedian(results, 'me', 'me-log-info', extraPercent, cpuPerRequest),
      /** Hot-station payments per spread payment (same round). */
      hotStationToSpreadPayments: pairedMedian(results, 'payment-hot-station', 'payment-spread', (a, b) => a / b),
      /** Recharges from one partner float per spread payment (same round). */
      hotFloatToSpreadPayments: pairedMedian(results, 'recharge-hot-float', 'payment-spread', (a, b) => a / b),
      /** A partner's direct recharges (its one float, hot) per spread payment (same round). */
      partnerRechargeToSpreadPayments: pairedMedian(results, 'partner-recharge', 'payment-spread', (a, b) => a / b),
      /** A partner's payments per Core API payment (same round): the cost of the 3rd Party API's checks. */
      partnerPaymentToSpreadPayments: pairedMedian(results, 'partner-payment', 'payment-spread', (a, b) => a / b),
      /** Recharges from one partner float per recharge from many (same round): the cost of the hot float alone. */
      hotFloatToSpreadFloats: pairedMedian(results, 'recharge-hot-float', 'recharge-spread-floats', (a, b) => a / b),
      /** Credits onto one card per spread fee (same round): the cost of one hot bounded account. */
      hotCardToSpreadFees: pairedMedian(results, 'regularisation-hot-card', 'fee-spread', (a, b) => a / b),
    };
    const cpu = cpus();
    const machine = {
      cpuModel: cpu[0]?.model ?? 'unknown',
      cores: cpu.length,
      totalMemoryMb: Math.round(totalmem() / 2 ** 20),
      os: `${process.platform} ${release()}`,
      node: process.version,
      database: database.version,
    };

    // The hello-world baselines use no database: CPU used beside them is other work on the machine.
    const baselineOtherCpu = SCENARIOS.filter((scenario) => scenario.target === 'node-http' || scenario.target === 'express')
      .flatMap((scenario) => results.get(scenario.id) ?? [])
      .map((measurement) => measurement.otherCpuCores ?? 0);
    const busyMachine = Math.max(0, ...baselineOtherCpu) > 0.25;
    const percent = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)}%`);
    const goals = [...ceilingGoalLines(summaries), ...ledgerGoals(summaries, derived), ...webhookGoals(summaries), ...historyGoals(summaries)];
    const ceilingNote =
      database.kind === 'pglite' && SCENARIOS.some((scenario) => scenario.target === 'ceiling')
        ? [
            'note: on PGlite the ceilings run on its one session through the project adapter (no pg Pool, no prepared statements): their goals are for PostgreSQL',
          ]
        : [];
    const report = [
      table(summaries),
      ...(busyMachine
        ? [`WARNING: other processes used up to ${Math.max(...baselineOtherCpu).toFixed(2)} cores during the baselines: the numbers are unreliable`]
        : []),
      '',
      `GET /partner/v1/me: response validation costs ${percent(derived.responseValidationCostPercent)} of the throughput ` +
        `(${percent(derived.responseValidationCpuPercent)} more server CPU per request); info logging to /dev/null costs ` +
        `${percent(derived.loggingCostPercent)} (${percent(derived.loggingCpuPercent)} more CPU)`,
      ...goals,
      ...ceilingNote,
      `machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryMb} MB, ${machine.os}, Node ${machine.node}, ${machine.database}; ` +
        `${settings.connections} connections, median of ${settings.rounds} rounds of ${settings.durationSeconds} s`,
    ].join('\n');
    process.stdout.write(report + '\n');

    const document = { date: new Date().toISOString(), machine, settings, busyMachine, derived, goals, scenarios: summaries };
    mkdirSync(dirname(settings.output), { recursive: true });
    writeFileSync(settings.output, JSON.stringify(document, null, 2) + '\n');
    process.stderr.write(`bench: results written to ${settings.output}\n`);
    if (summaries.some((summary) => summary.flag)) process.exitCode = 1;
  } finally {
    await dispose();
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${String(error?.stack ?? error)}\n`);
  process.exit(1);
});
