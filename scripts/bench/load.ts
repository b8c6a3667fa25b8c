/** One timed run against a loopback server (autocannon, or a paced sender), reduced to the numbers the report shows. */
import type { EventEmitter } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { percentile } from './stats';

/** A request the load generator repeats. */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Called for every request built, with its number (from 0): the path, headers and body to
   * send instead (e.g. a fresh Idempotency-Key and receipt number per payment). The numbers
   * go on across the runs of one request (the warm-up, then the measurement), so that the
   * measurement never repeats a warm-up request (it would be an idempotent replay). Numbers
   * can be skipped: autocannon builds each connection's first request before it starts.
   */
  vary?: (n: number) => { path?: string; headers?: Record<string, string>; body?: string };
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Latency percentiles of the 2xx answers, in milliseconds (sub-millisecond precision). */
  p50Ms: number;
  p99Ms: number;
  /** Answers whose status was not 2xx, and their statuses. */
  non2xx: number;
  statusCounts: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
  totalRequests: number;
}

// autocannon ships no types (and @types/autocannon is not a dependency): the subset used here.
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  requests: { average: number; total: number };
}
interface AutocannonInstance extends EventEmitter, PromiseLike<AutocannonResult> {}
type Autocannon = (options: Record<string, unknown>) => AutocannonInstance;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

/** The next number of each varying request, kept across its runs. */
const nextNumber = new WeakMap<LoadRequest, number>();

/** autocannon's setupRequest for a request that varies: each call builds the next one. */
function varied(request: LoadRequest) {
  return (built: { path?: string; headers?: Record<string, string>; body?: string }) => {
    const n = nextNumber.get(request) ?? 0;
    nextNumber.set(request, n + 1);
    const change = request.vary!(n);
    return { ...built, ...change, headers: { ...built.headers, ...request.headers, ...change.headers } };
  };
}

/** What a steady load (the soak, the webhook scenarios) adds to a run. */
interface SteadyOptions {
  /**
   * Requests per second over all connections, one every 1/rate seconds (runPaced: autocannon's
   * own overallRate sends each second's quota in a burst at the start of the second); default:
   * as fast as the server answers.
   */
  ratePerSecond?: number;
  /** Called with every answer's status and latency in milliseconds. */
  onResponse?: (status: number, ms: number) => void;
}

/**
 * Runs `connections` keep-alive connections against `baseUrl` for `durationSeconds`.
 * autocannon's own latency histogram rounds to whole milliseconds, too coarse for a
 * hello-world, so the 2xx latencies are collected from its `response` events instead.
 */
export async function runLoad(
  baseUrl: string,
  request: LoadRequest,
  durationSeconds: number,
  connections: number,
  steady: SteadyOptions = {},
): Promise<LoadResult> {
  if (steady.ratePerSecond) return runPaced(baseUrl, request, durationSeconds, connections, steady.ratePerSecond, steady.onResponse);
  const latencies: number[] = [];
  const instance = autocannon({
    url: baseUrl + request.path,
    method: request.method,
    headers: request.headers ?? {},
    body: request.body,
    ...(request.vary ? { requests: [{ setupRequest: varied(request) }] } : {}),
    connections,
    duration: durationSeconds,
    timeout: 10,
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    steady.onResponse?.(statusCode, responseTime);
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  const statusCounts: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) {
    if (!status.startsWith('2')) statusCounts[status] = Number(count);
  }
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    non2xx: result.non2xx,
    statusCounts,
    errors: result.errors, // includes the timeouts
    totalRequests: result.requests.total,
  };
}

/** How long a paced request may take before it counts as an error. */
const PACED_TIMEOUT_MS = 10_000;

/** The next request of a LoadRequest, numbered like autocannon's (one numbering per request, across runs). */
function nextOf(request: LoadRequest): { path: string; headers: Record<string, string>; body?: string } {
  const n = nextNumber.get(request) ?? 0;
  nextNumber.set(request, n + 1);
  const change = request.vary?.(n) ?? {};
  return { path: change.path ?? request.path, headers: { ...request.headers, ...change.headers }, body: change.body ?? request.body };
}

/**
 * An open-loop load: request i is sent at start + i/rate over at most `connections` keep-alive
 * connections (queued when all are busy), whatever the answers before it. A latency runs from
 * the request's planned time, so a server that falls behind shows it (no coordinated omission).
 */
async function runPaced(
  baseUrl: string,
  request: LoadRequest,
  durationSeconds: number,
  connections: number,
  rate: number,
  onResponse?: (status: number, ms: number) => void,
): Promise<LoadResult> {
  const target = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let non2xx = 0;
  let errors = 0;
  const pending = new Set<Promise<void>>();
  const total = Math.round(durationSeconds * rate);
  const started = performance.now();
  const send = (planned: number) => {
    const { path, headers, body } = nextOf(request);
    const sent = new Promise<void>((resolve) => {
      const req = httpRequest({ host: target.hostname, port: target.port, path, method: request.method, headers, agent, timeout: PACED_TIMEOUT_MS }, (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const ms = performance.now() - planned;
          if (status >= 200 && status < 300) latencies.push(ms);
          else {
            non2xx += 1;
            statusCounts[status] = (statusCounts[status] ?? 0) + 1;
          }
          onResponse?.(status, ms);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end(body);
    }).finally(() => pending.delete(sent));
    pending.add(sent);
  };
  for (let i = 0; i < total; ) {
    const now = performance.now();
    for (; i < total && started + (i * 1000) / rate <= now; i++) send(started + (i * 1000) / rate);
    if (i < total) await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (i * 1000) / rate - performance.now())));
  }
  while (pending.size > 0) await Promise.all([...pending]);
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requestsPerSecond: (latencies.length + non2xx) / ((performance.now() - started) / 1000),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    non2xx,
    statusCounts,
    errors,
    totalRequests: latencies.length + non2xx + errors,
  };
}
