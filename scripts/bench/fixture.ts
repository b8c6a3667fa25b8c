/**
 * What the bench and the soak load the API with: the partners' credentials, the ledger fixture
 * (network, client, profile, service points, credited cards, a funded partner float) made
 * through the API, and the calls that make it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { LoadRequest } from './load';

export interface Credentials {
  consumerKey: string;
  consumerSecret: string;
}

export interface LedgerFixture {
  /** Member cards, each credited far more than a run can spend. */
  cards: string[];
  servicePoints: string[];
  /** The partner whose float pays the recharge vouchers, funded far beyond what a run spends. */
  floatPartnerId: string;
  /** FLOAT_PARTNERS more partners, each float funded alike (recharge-spread-floats). */
  spreadPartnerIds: string[];
  /** VOUCHER_LINES more cards for the 1,000-card voucher (empty when it is not selected). */
  voucherCards: string[];
  /** The full numbers of `cards`, in order (partners pay with a card's number). */
  cardNumbers: string[];
  /** A 3rd Party API partner contracted for the client and every service point, its float funded alike. */
  gateway: Credentials & { partnerId: string };
}

const basicHeader = (fixture: Credentials) =>
  'Basic ' + Buffer.from(`${encodeURIComponent(fixture.consumerKey)}:${encodeURIComponent(fixture.consumerSecret)}`).toString('base64');

export const TOKEN_REQUEST = (fixture: Credentials): LoadRequest => ({
  method: 'POST',
  path: '/oauth/token',
  headers: { authorization: basicHeader(fixture), 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=client_credentials',
});

/** Gets a bearer token from the running server, as a partner would. */
export async function bearerToken(url: string, fixture: Credentials): Promise<string> {
  const request = TOKEN_REQUEST(fixture);
  const answer = await fetch(url + request.path, { method: request.method, headers: request.headers, body: request.body });
  const body = (await answer.json()) as { access_token?: string };
  if (!answer.ok || !body.access_token) throw new Error(`token request answered ${answer.status}: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** Cards and service points of the ledger scenarios: enough that 50 connections rarely meet on one. */
export const LEDGER_CARDS = 200;
export const LEDGER_SERVICE_POINTS = 50;
/** Credited to every card at setup: a run of 1-XOF payments never exhausts it, and the 200 together stay within what an amount can show (10^12). */
const LEDGER_CARD_CREDIT = 1_000_000_000;

export const xof = (value: number) => ({ value, unit: 'XOF' });

/** A Core API call of the setup, as the back-office would make it; returns `data`. */
export async function coreCall<T>(
  url: string,
  token: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: object,
  idempotencyKey?: string,
): Promise<T> {
  const answer = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await answer.text();
  if (!answer.ok) throw new Error(`${method} ${path} answered ${answer.status}: ${text}`);
  return (JSON.parse(text) as { data: T }).data;
}

/** Runs `work(0)` ... `work(count - 1)`, at most `limit` at a time; the results in order. */
export async function mapConcurrent<T>(count: number, limit: number, work: (n: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const n = next++;
        results[n] = await work(n);
      }
    }),
  );
  return results;
}

/** Concurrent API calls of the setups (enough to keep the server busy, few enough not to queue on its pool). */
export const SETUP_CONCURRENCY = 16;

/** Partners whose floats recharge-spread-floats spreads its vouchers over. */
export const FLOAT_PARTNERS = 50;
/** Lines of the big voucher, and so the extra cards made for it. */
export const VOUCHER_LINES = 1000;
/** What each partner float is funded with: 1-XOF recharges never exhaust it, and the funding account's balance over all of them stays within what an amount can show (the ledger check's bound, 10^12). */
const FLOAT_FUNDING = 10_000_000_000;

/**
 * Creates the network, client, profile, service points and credited cards of the ledger
 * scenarios through the API, a partner whose float is funded far beyond a run, and (for the
 * 1,000-card voucher) VOUCHER_LINES more cards.
 */
export async function ledgerSetup(url: string, core: Credentials, options: { voucherCards: boolean; spreadFloats: boolean }): Promise<LedgerFixture> {
  const token = await bearerToken(url, core);
  const call = <T>(path: string, body: object, key?: string) => coreCall<T>(url, token, 'POST', path, body, key);
  const network = await call<{ id: string }>('/core/v1/networks', { code: 'RES-BENCH', name: 'Réseau de benchmark' });
  const client = await call<{ id: string }>('/core/v1/clients', { networkId: network.id, code: 'BENCH', name: 'Transports du benchmark' });
  const profile = await call<{ id: string }>('/core/v1/card-profiles', {
    code: 'BENCH',
    label: 'Flotte',
    validityMonths: 24,
    rechargeMode: 'manual',
    monthlyOfflineCap: xof(50_000),
    allowedServices: ['fuel', 'shop'],
    allowedUnits: ['XOF'],
  });
  const servicePoints: string[] = [];
  for (let n = 0; n < LEDGER_SERVICE_POINTS; n++) {
    servicePoints.push(
      (
        await call<{ id: string }>('/core/v1/service-points', {
          code: `STATION-BENCH-${n}`,
          name: `Station ${n}`,
          address: 'Plateau, Abidjan',
          networkId: network.id,
        })
      ).id,
    );
  }
  const run = randomBytes(4).toString('hex');
  const cards = await Promise.all(
    Array.from({ length: LEDGER_CARDS }, async (_, n) => {
      const card = await call<{ id: string; number: string }>('/core/v1/cards', {
        clientId: client.id,
        profileId: profile.id,
        holder: { name: `Porteur ${n}`, phone: '+2250707080910' },
      });
      await call(
        '/core/v1/regularisations',
        { cardId: card.id, direction: 'credit', amount: xof(LEDGER_CARD_CREDIT), reason: 'Solde de benchmark' },
        `bench-setup-${run}-${n}`,
      );
      return card;
    }),
  );
  const fundedPartner = async (n: number) => {
    const partner = await call<{ id: string }>('/core/v1/partners', { name: `Partenaire flotte de benchmark ${n}`, scopes: ['partner:profile.read'] });
    await call(`/core/v1/partners/${partner.id}/contracts`, { clientId: client.id }); // its float pays vouchers of its contracted clients only
    await call(
      '/core/v1/float-fundings',
      { partnerId: partner.id, amount: xof(FLOAT_FUNDING), externalReference: `BENCH-${run}-${n}` },
      `bench-float-${run}-${n}`,
    );
    return partner.id;
  };
  const [floatPartnerId, ...spreadPartnerIds] = await mapConcurrent(options.spreadFloats ? 1 + FLOAT_PARTNERS : 1, SETUP_CONCURRENCY, fundedPartner);
  const voucherCards = options.voucherCards
    ? await mapConcurrent(
        VOUCHER_LINES,
        SETUP_CONCURRENCY,
        async (n) =>
          (
            await call<{ id: string }>('/core/v1/cards', {
              clientId: client.id,
              profileId: profile.id,
              holder: { name: `Porteur bon ${n}`, phone: '+2250707080911' },
            })
          ).id,
      )
    : [];
  const gateway = await call<{ id: string; consumerKey: string; consumerSecret: string }>('/core/v1/partners', {
    name: 'Passerelle de benchmark',
    scopes: ['partner:cards.read', 'partner:recharges.write', 'partner:payments.write', 'partner:operations.read'],
  });
  await call(`/core/v1/partners/${gateway.id}/contracts`, { clientId: client.id });
  await mapConcurrent(servicePoints.length, SETUP_CONCURRENCY, (n) => call(`/core/v1/partners/${gateway.id}/contracts`, { servicePointId: servicePoints[n] }));
  await call(
    '/core/v1/float-fundings',
    { partnerId: gateway.id, amount: xof(FLOAT_FUNDING), externalReference: `BENCH-${run}-gateway` },
    `bench-float-${run}-gateway`,
  );
  return {
    cards: cards.map((card) => card.id),
    cardNumbers: cards.map((card) => card.number),
    servicePoints,
    floatPartnerId,
    spreadPartnerIds,
    voucherCards,
    gateway: { partnerId: gateway.id, consumerKey: gateway.consumerKey, consumerSecret: gateway.consumerSecret },
  };
}

/** Enters and validates a recharge voucher paid by a partner float (the fixture's hot one by default), 1 XOF a line; returns its id. */
export async function validatedVoucher(
  url: string,
  token: string,
  ledger: LedgerFixture,
  cardIds: string[],
  partnerId = ledger.floatPartnerId,
): Promise<string> {
  const order = await coreCall<{ id: string }>(
    url,
    token,
    'POST',
    '/core/v1/orders',
    {
      type: 'recharge',
      sourcePartnerId: partnerId,
      lines: cardIds.map((cardId) => ({ cardId, amount: xof(1) })),
      reason: 'Recharge de benchmark',
    },
    randomUUID(),
  );
  // The core application holds core:orders.chain: it may validate what it entered.
  await coreCall(url, token, 'POST', `/core/v1/orders/${order.id}/validate`, {});
  return order.id;
}

/** A shop payment of 1 XOF: no fuel record, so the cost is the ledger's. */
export const payment = (cardId: string, servicePointId: string, receiptNumber: string) => ({
  cardId,
  servicePointId,
  amount: xof(1),
  service: 'shop',
  receiptNumber,
});

/** Executes a validated voucher (its recharges recorded); fails unless it is executed. */
export async function executedVoucher(url: string, token: string, orderId: string): Promise<void> {
  const order = await coreCall<{ status: string }>(url, token, 'POST', `/core/v1/orders/${orderId}/execute`, {}, randomUUID());
  if (order.status !== 'executed') throw new Error(`voucher ${orderId} is ${order.status}, not executed`);
}
