/**
 * The webhook delivery scenarios of `npm run bench`: events made at a steady WEBHOOK_RATE a
 * second (Core API shop payments spread over the fixture's cards and stations, paced: one every 5 ms) for the
 * measurement's duration, each pushed by the server's dispatcher to a receiver in this process,
 * through an endpoint of the fixture's 3rd Party API partner (contracted for the cards' client)
 * registered for the round and deleted after it. An event's lag is its arrival at the receiver
 * minus its `occurredAt`. With `dead`, a second endpoint of the same partner, receiving every
 * event too, never answers (each attempt waits for WEBHOOK_TIMEOUT_MS): the healthy one's
 * throughput and lag must not change.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { coreCall, type LedgerFixture, payment } from './fixture';
import { runLoad } from './load';
import { percentile } from './stats';

/** Events made per second. */
export const WEBHOOK_RATE = 200;
/** The goal: the healthy endpoint's p99 lag, in milliseconds. */
export const WEBHOOK_P99_GOAL_MS = 1000;
/** How long the events of a run may take to arrive once made before the run is failed. */
const SETTLE_MS = 30_000;

interface WebhookFigures {
  /** Events made (2xx credits) and delivered to the healthy endpoint (each once). */
  events: number;
  delivered: number;
  eventsPerSecond: number;
  /** Healthy deliveries per second, from the first event made to the last delivery. */
  deliveredPerSecond: number;
  p50LagMs: number;
  p99LagMs: number;
  maxLagMs: number;
}

/** A receiver on loopback: `onEvent` gets each event's id and occurredAt; `hang` never answers. */
async function receiver(hang: boolean, onEvent?: (id: string, occurredAt: string) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (hang) return;
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; occurredAt: string };
      onEvent?.(event.id, event.occurredAt);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One measurement: registers the endpoints, makes events for `seconds`, waits for them to arrive, deletes the endpoints. */
export async function webhookDelivery(url: string, token: string, ledger: LedgerFixture, seconds: number, dead: boolean): Promise<WebhookFigures> {
  const arrivals = new Map<string, number>();
  const healthy = await receiver(false, (id, occurredAt) => {
    if (!arrivals.has(id)) arrivals.set(id, Date.now() - Date.parse(occurredAt));
  });
  const hanging = dead ? await receiver(true) : null;
  const endpoints = `/core/v1/partners/${ledger.gateway.partnerId}/webhook-endpoints`;
  const registered: string[] = [];
  try {
    for (const target of [healthy, ...(hanging ? [hanging] : [])])
      registered.push((await coreCall<{ id: string }>(url, token, 'POST', endpoints, { url: target.url, eventTypes: ['operation.completed'] })).id);
    const run = randomBytes(6).toString('hex');
    const started = Date.now();
    const load = await runLoad(
      url,
      {
        method: 'POST',
        path: '/core/v1/payments',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        vary: (n) => ({
          headers: { 'idempotency-key': `${run}-${n}` },
          body: JSON.stringify(payment(ledger.cards[n % ledger.cards.length], ledger.servicePoints[n % ledger.servicePoints.length], `W-${run}-${n}`)),
        }),
      },
      seconds,
      50,
      { ratePerSecond: WEBHOOK_RATE },
    );
    if (load.non2xx + load.errors > 0) throw new Error(`the credits were answered ${JSON.stringify(load.statusCounts)}, ${load.errors} errors`);
    const events = load.totalRequests;
    const deadline = Date.now() + SETTLE_MS;
    while (arrivals.size < events && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const lags = Float64Array.from(arrivals.values()).sort();
    return {
      events,
      delivered: arrivals.size,
      eventsPerSecond: events / seconds,
      deliveredPerSecond: arrivals.size / ((Date.now() - started) / 1000),
      p50LagMs: percentile(lags, 0.5),
      p99LagMs: percentile(lags, 0.99),
      maxLagMs: lags[lags.length - 1] ?? NaN,
    };
  } finally {
    for (const id of registered) await coreCall(url, token, 'DELETE', `${endpoints}/${id}`).catch(() => undefined);
    await healthy.close();
    await hanging?.close();
  }
}
