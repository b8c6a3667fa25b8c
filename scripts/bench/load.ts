/** One timed autocannon run against a loopback server, reduced to the numbers the report shows. */
import type { EventEmitter } from 'node:events';
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

/** What a steady load (the soak) adds to a run. */
interface SteadyOptions {
  /** Requests per second over all connections (autocannon's overallRate); default: as fast as the server answers. */
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
    ...(steady.ratePerSecond ? { overallRate: steady.ratePerSecond } : {}),
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
