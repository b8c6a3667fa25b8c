/**
 * The service's metrics (GET /metrics, Prometheus text, prom-client). Requests are timed by a
 * middleware; the database and the domain report through their observation channels
 * (src/db/observation.ts, src/domain/observation.ts), which this module alone subscribes to;
 * the pool, open holds and job lag are read when scraped. Every label value comes from a fixed
 * set (operationIds of the contract, methods, statuses, error code names, causes, job names),
 * never from a request's path, query or body, so no card number or id becomes a label.
 */
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/database';
import { RETRYABLE_KINDS } from '../db/errors';
import { transactionRetried } from '../db/observation';
import { moneyRequestAnswered, webhookAttempted } from '../domain/observation';
import { openHoldCount } from '../domain/payments/holds-read';
import { webhookBacklog } from '../domain/webhooks/dispatcher';
import { operationIdOf } from '../request/request';
import { operationTable } from '../../generated/operations';
import { processRegistry } from './process-metrics';

/** The background jobs whose lag is reported (src/main.ts runs them). */
const BACKGROUND_JOBS = ['hold-expiry', 'idempotency-key-purge', 'webhook-dispatch'] as const;

type BackgroundJob = (typeof BACKGROUND_JOBS)[number];

/** The label of a request no operation of the contract matched (unknown path, refused before matching). */
const UNMATCHED = 'unmatched';

/** The /oauth routes run before the validator (src/http/routes.ts), which so never names their operation: found by method and path. */
const oauthOperations = new Map<string, string>(
  Object.values(operationTable)
    .filter((operation) => operation.path.startsWith('/oauth/'))
    .map((operation) => [`${operation.method.toUpperCase()} ${operation.path}`, operation.operationId]),
);

export interface Metrics {
  /** Times every request: mount it first. */
  requestTimer: RequestHandler;
  /** Answers GET /metrics. */
  scrape: RequestHandler;
  /** A background job's run succeeded (its lag restarts from 0). */
  jobSucceeded(job: BackgroundJob): void;
  /** Stops listening to the observation channels. */
  close(): void;
}

/** The metrics of one server over `db`; Node's process metrics are shared by the process. */
export function createMetrics(db: Database): Metrics {
  const registry = new Registry();
  const registers = [registry];

  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: "Time to answer a request, by the contract's operationId (unmatched: no operation), method and status.",
    labelNames: ['operation', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });

  const usage = () => db.usage();
  new Gauge({
    name: 'cynod_db_pool_in_use',
    help: 'Database connections running a statement or a transaction (the embedded database: 1 while a call runs).',
    registers,
    collect() {
      this.set(usage().inUse);
    },
  });
  new Gauge({
    name: 'cynod_db_pool_idle',
    help: 'Open database connections waiting for work.',
    registers,
    collect() {
      this.set(usage().idle);
    },
  });
  new Gauge({
    name: 'cynod_db_pool_waiting',
    help: 'Callers waiting for a database connection (the embedded database: calls queued behind the running one).',
    registers,
    collect() {
      this.set(usage().waiting);
    },
  });

  const retries = new Counter({
    name: 'cynod_db_transaction_retries_total',
    help: 'Transactions run again, by the cause that aborted the attempt.',
    labelNames: ['cause'] as const,
    registers,
  });
  for (const cause of RETRYABLE_KINDS) retries.inc({ cause }, 0);

  const ledgerOperations = new Counter({
    name: 'cynod_ledger_operations_total',
    help: 'Money-moving requests run, by type (operationId) and outcome: completed, the error code name of a refusal, or failed (a system failure, nothing stored).',
    labelNames: ['type', 'outcome'] as const,
    registers,
  });
  const replays = new Counter({
    name: 'cynod_idempotency_replays_total',
    help: 'Idempotency-Key answers replayed, by type (operationId).',
    labelNames: ['type'] as const,
    registers,
  });
  const conflicts = new Counter({
    name: 'cynod_idempotency_conflicts_total',
    help: 'Idempotency-Key conflicts, by type (operationId) and reason: in_flight (409, the first request still running) or reused (422, another request).',
    labelNames: ['type', 'reason'] as const,
    registers,
  });

  new Gauge({
    name: 'cynod_open_holds',
    help: 'Pay-at-pump holds open now (NaN when the database did not answer).',
    registers,
    async collect() {
      try {
        this.set(await openHoldCount(db));
      } catch {
        this.set(Number.NaN); // the scrape still reports the rest (the pool, above all, while the database is in trouble)
      }
    },
  });

  const webhookAttempts = new Counter({
    name: 'cynod_webhook_attempts_total',
    help: 'Webhook delivery attempts, by outcome: succeeded (2xx), retrying (failed, another attempt follows), failed (the last retry failed) or gone (410: the endpoint was disabled).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const webhookLatency = new Histogram({
    name: 'cynod_webhook_attempt_duration_seconds',
    help: 'Time from connecting to a webhook endpoint to the first bytes of its answer (or the failure), by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const backlog = { at: 0, value: Promise.resolve({ pending: Number.NaN, lagSeconds: Number.NaN, openCircuits: Number.NaN }) };
  /** One read of the webhook tables per scrape, shared by the three gauges (NaN when the database did not answer). */
  const webhookState = () => {
    if (Date.now() - backlog.at > 500) {
      backlog.at = Date.now();
      backlog.value = webhookBacklog(db).catch(() => ({ pending: Number.NaN, lagSeconds: Number.NaN, openCircuits: Number.NaN }));
    }
    return backlog.value;
  };
  new Gauge({
    name: 'cynod_webhook_deliveries_pending',
    help: 'Webhook deliveries waiting to be sent or retried.',
    registers,
    async collect() {
      this.set((await webhookState()).pending);
    },
  });
  new Gauge({
    name: 'cynod_webhook_delivery_lag_seconds',
    help: 'Age of the oldest webhook delivery due now to an enabled endpoint (0 when none waits).',
    registers,
    async collect() {
      this.set((await webhookState()).lagSeconds);
    },
  });
  new Gauge({
    name: 'cynod_webhook_open_circuits',
    help: 'Enabled webhook endpoints whose circuit is open (failing: nothing is sent to them for a while).',
    registers,
    async collect() {
      this.set((await webhookState()).openCircuits);
    },
  });

  const started = Date.now();
  const lastSuccess = new Map<BackgroundJob, number>(BACKGROUND_JOBS.map((job) => [job, started]));
  new Gauge({
    name: 'cynod_background_job_lag_seconds',
    help: 'Seconds since the background job last succeeded (since the start before its first run).',
    labelNames: ['job'] as const,
    registers,
    collect() {
      const now = Date.now();
      for (const [job, at] of lastSuccess) this.set({ job }, (now - at) / 1000);
    },
  });

  const unsubscribe = [
    transactionRetried.subscribe(({ cause }) => retries.inc({ cause })),
    webhookAttempted.subscribe(({ outcome, latencyMs }) => {
      webhookAttempts.inc({ outcome });
      webhookLatency.observe({ outcome }, latencyMs / 1000);
    }),
    moneyRequestAnswered.subscribe((event) => {
      const type = event.operation;
      switch (event.kind) {
        case 'completed':
        case 'failed':
          return ledgerOperations.inc({ type, outcome: event.kind });
        case 'refused':
          return ledgerOperations.inc({ type, outcome: event.code });
        case 'replayed':
          return replays.inc({ type });
        case 'key-in-flight':
          return conflicts.inc({ type, reason: 'in_flight' });
        case 'key-reused':
          return conflicts.inc({ type, reason: 'reused' });
      }
    }),
  ];

  const scraped = Registry.merge([processRegistry(), registry]);
  return {
    requestTimer(req, res, next) {
      const begun = process.hrtime.bigint();
      res.once('finish', () => {
        const operation = operationIdOf(req) ?? oauthOperations.get(`${req.method} ${req.path}`) ?? UNMATCHED;
        requestDuration.observe({ operation, method: req.method, status: String(res.statusCode) }, Number(process.hrtime.bigint() - begun) / 1e9);
      });
      next();
    },
    async scrape(_req, res, next) {
      try {
        const text = await scraped.metrics();
        res.type(scraped.contentType).send(text);
      } catch (error) {
        next(error);
      }
    },
    jobSucceeded: (job) => void lastSuccess.set(job, Date.now()),
    close: () => unsubscribe.forEach((stop) => stop()),
  };
}
