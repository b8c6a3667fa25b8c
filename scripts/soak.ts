/**
 * `npm run soak`: mixed traffic at a steady rate for a bounded time against one API process,
 * on loopback, with autocannon: partner tokens and reads, Core balance and card reads,
 * payments (some sent twice with their key: replays) and recharge-voucher executions. Every
 * interval it records the requests answered, their p99 and the server's resident memory (read
 * from its own GET /metrics), then checks the ledger's invariants.
 *
 * Like the bench (and with its helpers, scripts/bench/): the server is a child process
 * (scripts/bench/server.ts), on PostgreSQL when DATABASE_URL is set (a fresh schema, dropped at
 * the end), else on the embedded PGlite in a fresh temporary directory.
 *
 * Settings (environment, defaults in brackets):
 *   SOAK_SECONDS [180]           measured time, after the warm-up
 *   SOAK_WARMUP_SECONDS [20]     traffic before the measured intervals (JIT, pools and caches fill up)
 *   SOAK_INTERVAL_SECONDS [10]   one row of the table
 *   SOAK_RATE [100]              requests per second, all kinds together
 *
 * Fails (exit 1) when
 *   - memory grows: the median RSS of the last third of the intervals is above 1.5x the
 *     median of the first third (a leak keeps growing; a warmed-up server stays level),
 *   - an answer is not 2xx, or a request errs or times out,
 *   - the ledger's invariants are not clean at the end.
 * p99 is reported (first third against last third) without failing the run: on a shared
 * machine it moves with the neighbours.
 */
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { openDatabase } from '../src/db/database';
import { SYSTEM_ACTORS } from '../src/domain/actor';
import { checkLedger } from '../src/domain/ledger/invariants';
import { createBenchDatabase, type BenchDatabase } from './bench/database';
import {
  bearerToken,
  ledgerSetup,
  mapConcurrent,
  payment,
  SETUP_CONCURRENCY,
  TOKEN_REQUEST,
  validatedVoucher,
  type Credentials,
  type LedgerFixture,
} from './bench/fixture';
import { runLoad, type LoadRequest, type LoadResult } from './bench/load';
import { prepareDatabase, startTarget } from './bench/target';
import { percentile, thirds } from './bench/stats';

function integerSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  return value;
}

const settings = {
  // Under the default token lifetime (an hour): the streams' tokens are fetched once.
  seconds: integerSetting('SOAK_SECONDS', 180, 3, 3000),
  warmupSeconds: integerSetting('SOAK_WARMUP_SECONDS', 20, 0, 600),
  intervalSeconds: integerSetting('SOAK_INTERVAL_SECONDS', 10, 1, 600),
  rate: integerSetting('SOAK_RATE', 100, 10, 100_000),
};

/** Memory grows when the last third's median RSS exceeds the first third's by this factor. */
const MEMORY_GROWTH_LIMIT = 1.5;

/** One kind of traffic: its share of SOAK_RATE and the request, built once the fixture exists. */
interface Stream {
  name: string;
  share: number;
  /** Concurrent connections (1 keeps a replay behind the request it repeats). */
  connections?: number;
  request(url: string, fixture: SoakFixture): Promise<LoadRequest>;
}

interface SoakFixture {
  partner: Credentials;
  core: Credentials;
  ledger: LedgerFixture;
  /** Validated one-line recharge vouchers, executed in turn. */
  orderIds: string[];
}

const run = randomBytes(6).toString('hex');
const bearer = async (url: string, credentials: Credentials) => ({ authorization: `Bearer ${await bearerToken(url, credentials)}` });
const card = (ledger: LedgerFixture, n: number) => ledger.cards[n % ledger.cards.length];
const servicePoint = (ledger: LedgerFixture, n: number) => ledger.servicePoints[n % ledger.servicePoints.length];
const postJson = async (url: string, core: Credentials) => ({ ...(await bearer(url, core)), 'content-type': 'application/json' });

const STREAMS: Stream[] = [
  { name: 'POST /oauth/token', share: 0.02, request: async (_url, { partner }) => TOKEN_REQUEST(partner) },
  {
    name: 'GET /partner/v1/me',
    share: 0.13,
    request: async (url, { partner }) => ({ method: 'GET', path: '/partner/v1/me', headers: await bearer(url, partner) }),
  },
  {
    name: 'GET /core/v1/ledger-accounts?cardId=',
    share: 0.25,
    request: async (url, { core, ledger }) => ({
      method: 'GET',
      path: `/core/v1/ledger-accounts?cardId=${card(ledger, 0)}`,
      headers: await bearer(url, core),
      vary: (n) => ({ path: `/core/v1/ledger-accounts?cardId=${card(ledger, n)}` }),
    }),
  },
  {
    name: 'GET /core/v1/cards/{id}',
    share: 0.15,
    request: async (url, { core, ledger }) => ({
      method: 'GET',
      path: `/core/v1/cards/${card(ledger, 0)}`,
      headers: await bearer(url, core),
      vary: (n) => ({ path: `/core/v1/cards/${card(ledger, n)}` }),
    }),
  },
  {
    name: 'POST /core/v1/payments',
    share: 0.3,
    request: async (url, { core, ledger }) => ({
      method: 'POST',
      path: '/core/v1/payments',
      headers: await postJson(url, core),
      vary: (n) => ({
        headers: { 'idempotency-key': `soak-${run}-pay-${n}` },
        body: JSON.stringify(payment(card(ledger, n), servicePoint(ledger, n), `S-${run}-${n}`)),
      }),
    }),
  },
  {
    name: 'POST /core/v1/payments, each sent twice (replays)',
    share: 0.1,
    connections: 1,
    request: async (url, { core, ledger }) => ({
      method: 'POST',
      path: '/core/v1/payments',
      headers: await postJson(url, core),
      vary: (n) => {
        const pair = Math.floor(n / 2);
        return {
          headers: { 'idempotency-key': `soak-${run}-twice-${pair}` },
          body: JSON.stringify(payment(card(ledger, pair + 7), servicePoint(ledger, pair), `T-${run}-${pair}`)),
        };
      },
    }),
  },
  {
    name: 'POST /core/v1/orders/{id}/execute (recharges)',
    share: 0.05,
    request: async (url, { core, orderIds }) => {
      const path = (n: number) => `/core/v1/orders/${orderIds[Math.min(n, orderIds.length - 1)]}/execute`;
      return {
        method: 'POST',
        path: path(0),
        headers: await postJson(url, core),
        body: '{}',
        vary: (n) => ({ path: path(n), headers: { 'idempotency-key': `soak-${run}-exec-${n}` } }),
      };
    },
  },
];

const rateOf = (stream: Stream) => Math.max(1, Math.round(stream.share * settings.rate));

/** One row of the table. */
interface Interval {
  warmUp: boolean;
  answered: number;
  latencies: number[];
  non2xx: number;
  rssBytes: number;
  heapBytes: number;
}

/** What the soak reads of the server's own metrics. */
interface Scraped {
  rssBytes: number;
  heapBytes: number;
  /** Money-moving requests completed, and Idempotency-Key replays, so far. */
  completed: number;
  replays: number;
}

/** Scrapes the server's GET /metrics. */
async function scrapeServer(url: string, token: string): Promise<Scraped> {
  const answer = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await answer.text();
  if (!answer.ok) throw new Error(`GET /metrics answered ${answer.status}: ${text.slice(0, 200)}`);
  /** The sum of a metric's samples whose series matches `series` (its name and labels). */
  const sum = (series: RegExp) =>
    text
      .split('\n')
      .filter((line) => series.test(line))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    rssBytes: sum(/^process_resident_memory_bytes /),
    heapBytes: sum(/^nodejs_heap_size_used_bytes /),
    completed: sum(/^cynod_ledger_operations_total\{.*outcome="completed"/),
    replays: sum(/^cynod_idempotency_replays_total\{/),
  };
}

/** Every stream at its rate for the warm-up and the measurement, one row per interval. */
async function soak(url: string, fixture: SoakFixture): Promise<{ intervals: Interval[]; results: { name: string; result: LoadResult }[]; last: Scraped }> {
  const metricsToken = await bearerToken(url, fixture.core);
  const intervals: Interval[] = [];
  const open = (): Interval => ({
    warmUp: intervals.length * settings.intervalSeconds < settings.warmupSeconds,
    answered: 0,
    latencies: [],
    non2xx: 0,
    rssBytes: NaN,
    heapBytes: NaN,
  });
  let current = open();
  const requests = await Promise.all(STREAMS.map((stream) => stream.request(url, fixture)));
  const totalSeconds = settings.warmupSeconds + settings.seconds;
  const ticker = setInterval(() => {
    const closing = current;
    intervals.push(closing);
    current = open();
    void scrapeServer(url, metricsToken).then(
      ({ rssBytes, heapBytes }) => Object.assign(closing, { rssBytes, heapBytes }),
      (error: unknown) => process.stderr.write(`  memory sample failed: ${String(error)}\n`),
    );
    const row = intervals.length;
    process.stderr.write(
      `  ${String(row * settings.intervalSeconds).padStart(5)} s  ${(closing.answered / settings.intervalSeconds).toFixed(0).padStart(5)} req/s  p99 ${percentile(Float64Array.from(closing.latencies).sort(), 0.99).toFixed(1).padStart(7)} ms${closing.non2xx ? `  non-2xx ${closing.non2xx}` : ''}\n`,
    );
  }, settings.intervalSeconds * 1000);
  try {
    const results = await Promise.all(
      STREAMS.map(async (stream, index) => ({
        name: stream.name,
        result: await runLoad(url, requests[index], totalSeconds, stream.connections ?? Math.max(2, Math.ceil(rateOf(stream) / 20)), {
          ratePerSecond: rateOf(stream),
          onResponse: (status, ms) => {
            current.answered += 1;
            if (status >= 200 && status < 300) current.latencies.push(ms);
            else current.non2xx += 1;
          },
        }),
      })),
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // the last memory sample
    return { intervals: intervals.slice(0, Math.floor(totalSeconds / settings.intervalSeconds)), results, last: await scrapeServer(url, metricsToken) };
  } finally {
    clearInterval(ticker);
  }
}

/** The ledger's invariants on the soaked database (the server stopped), as `npm run cli -- ledger check` runs them. */
async function dirtyInvariants(database: BenchDatabase): Promise<string[]> {
  const db = await openDatabase({ ...database.spec, poolSize: 1 });
  try {
    return (await checkLedger(db, SYSTEM_ACTORS.system))
      .filter((result) => result.violations.length > 0)
      .map((result) => `${result.name}: ${JSON.stringify(result.violations.slice(0, 3))}`);
  } finally {
    await db.close();
  }
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  try {
    const rechargeRate = rateOf(STREAMS.find((stream) => stream.name.includes('execute'))!);
    const vouchers = Math.ceil(rechargeRate * (settings.warmupSeconds + settings.seconds) * 1.2) + 20;
    process.stderr.write(
      `soak: ${settings.rate} req/s for ${settings.seconds} s (+${settings.warmupSeconds} s warm-up), ${database.version}; setting up ${vouchers} vouchers\n`,
    );
    const spec = { ...database.spec, logLevel: 'silent', validateResponses: true };
    const credentials = await prepareDatabase(spec);
    const setup = await startTarget({ kind: 'api', ...spec }, { stdout: 'inherit' });
    let fixture: SoakFixture;
    try {
      const ledger = await ledgerSetup(setup.url, credentials.core, { voucherCards: false, spreadFloats: false });
      const token = await bearerToken(setup.url, credentials.core);
      const orderIds = await mapConcurrent(vouchers, SETUP_CONCURRENCY, (n) => validatedVoucher(setup.url, token, ledger, [card(ledger, n)]));
      fixture = { partner: credentials, core: credentials.core, ledger, orderIds };
    } finally {
      await setup.stop();
    }

    const target = await startTarget({ kind: 'api', ...spec }, { stdout: 'inherit' });
    let soaked: Awaited<ReturnType<typeof soak>>;
    let peakRssBytes: number;
    try {
      soaked = await soak(target.url, fixture);
    } finally {
      peakRssBytes = await target.stop();
    }
    const dirty = await dirtyInvariants(database);

    const { intervals, results, last } = soaked;
    const measured = intervals.filter((interval) => !interval.warmUp);
    const p99 = (interval: Interval) => percentile(Float64Array.from(interval.latencies).sort(), 0.99);
    const rss = thirds(measured.map((interval) => interval.rssBytes));
    const latency = thirds(measured.map(p99));
    const memoryGrew = !(rss.last <= rss.first * MEMORY_GROWTH_LIMIT);
    const failedRequests = results.filter(({ result }) => result.non2xx > 0 || result.errors > 0);

    const header = ['until s', 'req/s', 'p99 ms', 'RSS MB', 'heap MB', 'non-2xx'];
    const rows = intervals.map((interval, index) => [
      `${(index + 1) * settings.intervalSeconds}${interval.warmUp ? ' (warm-up)' : ''}`,
      (interval.answered / settings.intervalSeconds).toFixed(0),
      p99(interval).toFixed(1),
      mb(interval.rssBytes),
      mb(interval.heapBytes),
      String(interval.non2xx),
    ]);
    const cpu = cpus();
    const report = [
      [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n'),
      '',
      ...results.map(
        ({ name, result }) =>
          `  ${name}: ${result.totalRequests} requests, ${result.requestsPerSecond.toFixed(1)}/s, p99 ${result.p99Ms.toFixed(1)} ms${result.non2xx || result.errors ? `, non-2xx ${JSON.stringify(result.statusCounts)}, errors ${result.errors}` : ''}`,
      ),
      `the server's metrics: ${last.completed} money-moving requests completed, ${last.replays} replays`,
      `memory: median RSS ${mb(rss.first)} MB in the first third, ${mb(rss.last)} MB in the last (limit x${MEMORY_GROWTH_LIMIT}), peak ${mb(peakRssBytes)} MB: ${memoryGrew ? 'GROWS' : 'level'}`,
      `p99: median ${latency.first.toFixed(1)} ms in the first third, ${latency.last.toFixed(1)} ms in the last (${(latency.last / latency.first).toFixed(2)}x; reported, not a failure)`,
      `requests: ${failedRequests.length ? `FAILED in ${failedRequests.map(({ name }) => name).join('; ')}` : 'every answer 2xx, no errors'}`,
      `ledger invariants: ${dirty.length ? `DIRTY ${dirty.join('; ')}` : 'clean'}`,
      `machine: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 20)} MB, Node ${process.version}, ${database.version}; ` +
        `${settings.rate} req/s for ${settings.seconds} s after ${settings.warmupSeconds} s of warm-up, intervals of ${settings.intervalSeconds} s`,
    ].join('\n');
    process.stdout.write(report + '\n');
    if (memoryGrew || failedRequests.length > 0 || dirty.length > 0 || measured.length < 3) process.exitCode = 1;
  } finally {
    await database.dispose().catch((error) => process.stderr.write(`could not clean the soak database: ${String(error)}\n`));
  }
}

main().catch((error) => {
  process.stderr.write(`soak failed: ${String(error?.stack ?? error)}\n`);
  process.exit(1);
});
