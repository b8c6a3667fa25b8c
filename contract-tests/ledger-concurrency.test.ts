/**
 * The ledger under concurrency, over real HTTP on PostgreSQL (skipped on PGlite: one session,
 * nothing ever contends). 50 clients fire a seeded mix at 10 shared cards (three of them near
 * zero) and 3 service points:
 *
 * - payments, fees, regularisation debits and credits, and cancellations of earlier operations
 *   (captured payments and executed vouchers' operations included);
 * - pay-at-pump holds: authorisations, then, later in the run and from whichever client comes
 *   next, captures (some above the hold, some with a receipt already used), voids, a capture
 *   racing a void on one hold, and settle attempts on a hold already settled; some holds are
 *   made to expire within a few hundred milliseconds (the contract's shortest holdSeconds is
 *   60, so the test moves their expiresAt, as holds.test.ts does), while two sweeps
 *   (expireHolds) run beside the clients, so that expiry races the captures;
 * - order vouchers: transfers between the shared cards (some in pairs, one in each direction
 *   between the same two cards at once, so that the lock order matters) and recharges of
 *   several shared cards from the issuer's float or a partner's, each entered by the clients' partner,
 *   validated by another (maker-checker) and executed with an Idempotency-Key; some executed
 *   with two keys at once (exactly one executes, the other is 409 4040).
 *
 * Idempotency-Keys are sent again (at once, so that the copies race, and later; a few with
 * another body) and receipt numbers used again. Afterwards: the invariants hold, no balance is
 * negative, every key answered 200 made exactly one operation (one hold, one settlement, one
 * executed voucher), every copy of a key got the same answer, nothing was a 500, each hold is
 * in the state its answers say, each card holds exactly its open holds, and each card's
 * balance is what the answers say it should be.
 *
 * LEDGER_CONCURRENCY_SEED replays a run's mix (the seed is printed with the summary; which
 * earlier operation a cancellation or a follow-up names depends on the order answers come
 * in); LEDGER_CONCURRENCY_POOL_SIZE and LEDGER_CONCURRENCY_LOCK_TIMEOUT_MS change the database's.
 */
import { randomUUID } from 'node:crypto';
import { CardService } from '../generated/sdk';
import { isDatabaseBusy } from '../src/db/errors';
import { SYSTEM_ACTORS } from '../src/domain/actor';
import { expireHolds } from '../src/domain/payments/holds';
import { createTestDatabase, usingPostgres, type TestDatabase } from './support/database';
import { captured } from './support/log-capture';
import { startTestServer, type TestServer } from './support/server';
import { contractedPartner, expectLedgerHolds, fundedCard, newClientWorld, newStation, xof } from './support/world';

const CLIENTS = 50;
const CARDS = 10;
const NEAR_ZERO_CARDS = 3;
const STATIONS = 3;
/** New keys (each its own request: follow-ups of holds and second keys of vouchers included); the copies of keys come on top. */
const NEW_REQUESTS = 2200;
/** At least this many keys each of payments, authorisations and transfers. */
const SHARE = 300;
const INITIAL = { nearZero: 2_000, funded: 250_000 };
/** Attempts per request while the answer is 409 4030 (in flight) or 503 9998 (busy). */
const MAX_ATTEMPTS = 400;
/**
 * Connections that fail before their answer, retried with their key, in the whole run: a few
 * are the client's keep-alive race on a loaded machine; more would be the server dropping them.
 */
const MAX_TRANSPORT_RETRIES = 10;
const SWEEPERS = 2;

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

type Kind = 'payment' | 'fee' | 'debit' | 'credit' | 'cancel' | 'authorize' | 'capture' | 'overcapture' | 'void' | 'transfer' | 'recharge';
const OPERATION_KINDS: ReadonlySet<Kind> = new Set(['payment', 'fee', 'debit', 'credit', 'cancel']);
const SETTLE_KINDS: ReadonlySet<Kind> = new Set(['capture', 'overcapture', 'void']);

interface Amount {
  value: number;
  unit: string;
}

/** What becomes of an authorisation once it is granted. */
type HoldPlan = 'capture' | 'void' | 'over' | 'race' | 'reuse' | 'none';

/** An authorisation of the mix: its plan, drawn with the request, and its answer once granted. */
interface Hold {
  plan: HoldPlan;
  /** Made to expire within a few hundred milliseconds of being granted. */
  short: boolean;
  expiresInMs: number;
  /** When its first follow-up is due, after it is granted. */
  delayMs: number;
  data?: AuthorizationData;
  race?: boolean;
}

/** A voucher of the mix: entered and validated once, by the first sending of one of its keys. */
interface Voucher {
  input: { type: 'transfer' | 'recharge'; fromCardId?: string; sourcePartnerId?: string; lines: { cardId: string; amount: Amount }[]; reason: string };
  /** Executed with two keys at once. */
  race: boolean;
  /** One of a pair of transfers between the same two cards in opposite directions, sent together. */
  paired: boolean;
  orderId?: string;
  path?: Promise<string | null>;
}

interface Request {
  key: string;
  kind: Kind;
  /** The path, or how to get it (a voucher's execute path, once it is entered and validated). */
  path: string | (() => Promise<string | null>);
  /** No body for a void. */
  body?: object;
  /** A copy with the key of another request and another body (refused 422 4031, unless it got there first). */
  conflicting?: boolean;
  hold?: Hold;
  voucher?: Voucher;
}

interface OperationData {
  id: string;
  type: string;
  amount: Amount;
  debit: { cardId: string | null };
  credit: { cardId: string | null };
  cancels?: string | null;
}

interface AuthorizationData {
  id: string;
  status: 'open' | 'captured' | 'voided' | 'expired';
  cardId: string;
  servicePointId: string;
  amount: Amount;
  captured: Amount | null;
  paymentId: string | null;
}

interface OrderData {
  id: string;
  type: 'transfer' | 'recharge';
  status: string;
  fromCardId: string | null;
  lines: { cardId: string | null; amount: Amount | null }[];
  operationIds: string[];
}

type AnswerData = OperationData | AuthorizationData | OrderData;

/** The final answer to one sending of a request (after its 4030 and 9998 retries). */
interface Answer {
  conflicting: boolean;
  status: number;
  code: string | null;
  replayed: boolean;
  data: AnswerData | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The answer of the request that ran with the key (422 4031 went to the copy with the other body). */
const outcomeOf = (list: Answer[]) => list.find((answer) => answer.code !== '4031') ?? list[0];
const labelOf = (answer: { status: number; code: string | null }) => `${answer.status}${answer.code ? ` ${answer.code}` : ''}`;

const onPostgres = usingPostgres() ? describe : describe.skip;

onPostgres('the ledger under 50 concurrent clients (PostgreSQL only: skipped without DATABASE_URL, PGlite has one session and nothing contends)', () => {
  let server: TestServer;
  let database: TestDatabase;
  let token: string;
  /** Another partner, holding only core:orders.validate: the checker of the vouchers the clients enter. */
  let checker: string;
  let cards: string[];
  let stations: { id: string; cardId: string }[];
  /** The partner whose float pays half the recharge vouchers. */
  let floatPartnerId: string;
  /** Each card's balance from the setup's credits. */
  const initial = new Map<string, number>();

  beforeAll(async () => {
    // 50 clients on a pool of 5 would mostly measure the pool's queue. The session limits are
    // the server's defaults (src/config.ts) but for a lock timeout of 25 ms instead of 5 s, so
    // that lock timeouts, hence 503 9998 answers retried with their key, happen (a few hundred
    // a run here; LEDGER_CONCURRENCY_LOCK_TIMEOUT_MS=5000 runs with the default).
    database = await createTestDatabase({
      poolSize: Number(process.env.LEDGER_CONCURRENCY_POOL_SIZE ?? 20),
      timeouts: { statementTimeoutMs: 15_000, lockTimeoutMs: Number(process.env.LEDGER_CONCURRENCY_LOCK_TIMEOUT_MS ?? 25), idleInTransactionTimeoutMs: 30_000 },
    });
    server = await startTestServer({ database });
    token = await server.coreToken();
    const validation = await server.partner({ name: 'Validation des bons', scopes: ['core:orders.validate'] });
    checker = await server.token(validation.key, validation.secret);
    const core = server.sdk({ token });
    const owner = await newClientWorld(core, 'CONC', {
      label: 'Flotte',
      validityMonths: 24,
      monthlyOfflineCap: xof(50000),
      allowedServices: [CardService.Shop],
    });
    stations = [];
    for (let n = 0; n < STATIONS; n++) stations.push(await newStation(core, owner.networkId, `STATION-CONC-${n}`));
    cards = [];
    for (let n = 0; n < CARDS; n++) {
      const value = n < NEAR_ZERO_CARDS ? INITIAL.nearZero : INITIAL.funded;
      const card = await fundedCard(core, owner, value, { name: `Porteur ${n}`, phone: '+2250707080910' });
      cards.push(card.id);
      initial.set(card.id, value);
    }
    for (const station of stations) initial.set(station.cardId, 0);
    // Half the recharge vouchers are paid by a partner's float: its row is locked by the last
    // statement before COMMIT, after the cards and accounts (posting.ts), and cancelling such
    // a recharge credits it back the same way. A float pays its partner's clients only.
    floatPartnerId = (
      await contractedPartner(server, core, {
        name: 'Wave concurrence',
        scopes: ['partner:profile.read'],
        clientId: owner.clientId,
        float: 100_000_000,
        floatReference: 'CONC-FLOAT-1',
      })
    ).id;
  });
  afterAll(async () => {
    await server?.stop();
    await database?.dispose(); // passed in, so ours to close
  });

  /** Runs the mix: 50 clients and two sweepers until every new key is sent, then copies once everything settled; what was sent and answered. */
  async function race() {
    const db = server.database.db;
    const operationsBefore = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_operations'))[0].n;
    const answers = new Map<string, Answer[]>();
    const requests = new Map<string, Request>();
    /** Every HTTP status seen, with its code ("409 4030"), retries included. */
    const seen = new Map<string, number>();
    const count = (label: string) => seen.set(label, (seen.get(label) ?? 0) + 1);
    /** First answers of 200 (not replayed), in order, with their requests. */
    const firsts: { request: Request; data: AnswerData }[] = [];
    const accepted: OperationData[] = []; // the operations of payments, fees, regularisations and cancellations
    /** Every operation an answer made (captured payments and voucher lines included): what cancellations name. */
    const cancellable: string[] = [];
    const cancelTargets: string[] = [];
    const paymentReceipts: { servicePointId: string; receiptNumber: string }[] = [];
    const holds: Hold[] = [];
    const vouchers: Voucher[] = [];
    const copies = { racing: 0, later: 0, final: 0, conflicting: 0 };
    const retried = { inFlight: 0, busy: 0, busyKeys: new Set<string>(), transport: 0 };
    const sweeps = { runs: 0, expired: 0, busy: 0 };
    const failures: string[] = [];

    // Cards near zero get a third of the requests, so that refusals for funds are frequent.
    const someCard = () => (random() < 0.3 ? cards[between(0, NEAR_ZERO_CARDS - 1)] : cards[between(NEAR_ZERO_CARDS, CARDS - 1)]);
    const fundedCard = () => cards[between(NEAR_ZERO_CARDS, CARDS - 1)];
    const otherCard = (than: string) => {
      for (;;) {
        const card = someCard();
        if (card !== than) return card;
      }
    };
    let made = 0;
    const newKey = () => `conc-${seed}-${++made}`;
    /** Whether another key fits in the run (the second key of a pair or race is left out at the very end). */
    const room = () => made < NEW_REQUESTS;

    /** A plain request (not keyed), for entering and validating vouchers: retried while the database is busy; null (and a failure) when refused. */
    /** POSTs until answered (a busy database retried); `idempotencyKey`, when given, is sent with every attempt. */
    const call = async <T>(bearer: string, path: string, body: object, idempotencyKey?: string): Promise<T | null> => {
      for (let attempt = 1; ; attempt++) {
        try {
          const response = await fetch(server.url + path, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${bearer}`,
              'content-type': 'application/json',
              ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
            },
            body: JSON.stringify(body),
          });
          const answer = (await response.json()) as { code?: string; data?: T };
          count(`${response.status}${response.status === 200 ? '' : ` ${answer.code}`}`);
          if (response.status === 200 && answer.data) return answer.data;
          if (response.status === 503 && answer.code === '9998' && attempt < MAX_ATTEMPTS) {
            retried.busy += 1;
            await sleep(between(5, 25));
            continue;
          }
          failures.push(`POST ${path} ${JSON.stringify(body)}: ${response.status} ${JSON.stringify(answer)}`);
          return null;
        } catch (error) {
          failures.push(`POST ${path}: ${String(error)}`);
          return null;
        }
      }
    };
    /** Enters the voucher (as the clients' partner) and validates it (as the checker), once; its execute path. */
    const entered = (voucher: Voucher) => () =>
      (voucher.path ??= (async () => {
        const order = await call<OrderData>(token, '/core/v1/orders', voucher.input, randomUUID());
        if (!order) return null;
        voucher.orderId = order.id;
        const validated = await call<OrderData>(checker, `/core/v1/orders/${order.id}/validate`, { comment: 'Conforme' });
        return validated ? `/core/v1/orders/${order.id}/execute` : null;
      })());

    const transfer = (key: string, from: string, to: string, race: boolean, paired: boolean): Request => {
      const voucher: Voucher = {
        input: { type: 'transfer', fromCardId: from, lines: [{ cardId: to, amount: xof(between(200, 3000)) }], reason: 'Virement entre cartes' },
        race,
        paired,
      };
      vouchers.push(voucher);
      return { key, kind: 'transfer', path: entered(voucher), body: { comment: 'Exécution' }, voucher };
    };
    const capture = (hold: Hold, value: number, receiptNumber?: string): Request => {
      const data = hold.data!;
      const key = newKey();
      return {
        key,
        kind: value > data.amount.value ? 'overcapture' : 'capture',
        hold,
        path: `/core/v1/authorizations/${data.id}/capture`,
        body: { amount: xof(value), receiptNumber: receiptNumber ?? `P-${seed}-${made}` },
      };
    };
    const voidOf = (hold: Hold): Request => ({ key: newKey(), kind: 'void', hold, path: `/core/v1/authorizations/${hold.data!.id}/void` });
    /** Below the hold (so that a copy with another body, one more, is not above it). */
    const someCapture = (hold: Hold) => capture(hold, between(100, hold.data!.amount.value - 1));

    /** The requests each new key makes; the second ones of a pair or race go first in the queue. */
    const newRequest = (): Request => {
      const key = newKey();
      const roll = random();
      if (roll < 0.08 && cancellable.length > 0) {
        // Mostly recent operations, sometimes one already being cancelled (two keys race to cancel it).
        const target = random() < 0.2 && cancelTargets.length > 0 ? pick(cancelTargets) : cancellable[Math.max(0, cancellable.length - 1 - between(0, 60))];
        cancelTargets.push(target);
        return { key, kind: 'cancel', path: `/core/v1/operations/${target}/cancel`, body: { reason: 'Annulation de test' } };
      }
      if (roll < 0.3) {
        // A receipt used again with a new key (4022 unless the first was refused): often the last one, likely still in flight.
        const reuse =
          random() < 0.04 && paymentReceipts.length > 0 ? (random() < 0.5 ? paymentReceipts[paymentReceipts.length - 1] : pick(paymentReceipts)) : null;
        const servicePointId = reuse?.servicePointId ?? pick(stations).id;
        const receiptNumber = reuse?.receiptNumber ?? `T-${seed}-${made}`;
        paymentReceipts.push({ servicePointId, receiptNumber });
        return {
          key,
          kind: 'payment',
          path: '/core/v1/payments',
          body: { cardId: someCard(), servicePointId, amount: xof(between(200, 3000)), service: 'shop', receiptNumber },
        };
      }
      if (roll < 0.38) return { key, kind: 'fee', path: '/core/v1/fees', body: { cardId: someCard(), amount: xof(between(50, 500)), reason: 'Frais de test' } };
      if (roll < 0.47)
        return {
          key,
          kind: 'debit',
          path: '/core/v1/regularisations',
          body: { cardId: someCard(), direction: 'debit', amount: xof(between(200, 3000)), reason: 'Correction' },
        };
      if (roll < 0.57)
        return {
          key,
          kind: 'credit',
          path: '/core/v1/regularisations',
          body: { cardId: someCard(), direction: 'credit', amount: xof(between(200, 2000)), reason: 'Geste commercial' },
        };
      if (roll < 0.79) {
        const plans: [HoldPlan, number][] = [
          ['capture', 0.35],
          ['void', 0.15],
          ['over', 0.12],
          ['race', 0.15],
          ['reuse', 0.03],
          ['none', 0.2],
        ];
        let at = random();
        const plan = plans.find(([, share]) => (at -= share) < 0)?.[0] ?? 'none';
        const short = random() < 0.3;
        const hold: Hold = { plan, short, expiresInMs: between(50, 350), delayMs: short ? between(0, 400) : between(20, 1500) };
        holds.push(hold);
        const pump = random() < 0.7 ? { pumpNumber: between(1, 12) } : {};
        return {
          key,
          kind: 'authorize',
          hold,
          path: '/core/v1/authorizations',
          body: {
            cardId: someCard(),
            servicePointId: pick(stations).id,
            amount: xof(between(500, 5000)),
            service: 'shop',
            ...pump,
            holdSeconds: short ? 60 : between(300, 900),
          },
        };
      }
      if (roll < 0.96) {
        // Executed with a second key at once (from a funded card, so that only the race decides), or paired with the opposite transfer.
        const race = random() < 0.12 && room();
        const from = race ? fundedCard() : someCard();
        const to = otherCard(from);
        const paired = !race && random() < 0.25 && room();
        const request = transfer(key, from, to, race, paired);
        if (paired) register(transfer(newKey(), to, from, false, true), true);
        if (race) register({ ...request, key: newKey() }, true);
        return request;
      }
      // Several of the shared cards, in no particular order (the execution locks them in id order).
      const shuffled = [...cards];
      for (let n = shuffled.length - 1; n > 0; n--) {
        const other = between(0, n);
        [shuffled[n], shuffled[other]] = [shuffled[other], shuffled[n]];
      }
      const lines = shuffled.slice(0, between(2, 4)).map((cardId) => ({ cardId, amount: xof(between(500, 4000)) }));
      const source = random() < 0.5 ? { sourcePartnerId: floatPartnerId } : {};
      const voucher: Voucher = {
        input: { type: 'recharge', ...source, lines, reason: 'Dotation de la flotte' },
        race: random() < 0.25 && room(),
        paired: false,
      };
      vouchers.push(voucher);
      const request: Request = { key, kind: 'recharge', path: entered(voucher), body: { comment: 'Exécution' }, voucher };
      if (voucher.race) register({ ...request, key: newKey() }, true);
      return request;
    };

    /** The follow-ups of granted holds, each due at its time: captures, voids, races and settle attempts again. */
    const due: { at: number; hold: Hold; step: HoldPlan | 'again' }[] = [];
    const followUp = (hold: Hold, step: HoldPlan | 'again'): Request | null => {
      const data = hold.data!;
      const later = (next: HoldPlan | 'again', ms: number) => due.push({ at: Date.now() + ms, hold, step: next });
      switch (step) {
        case 'capture':
          if (random() < 0.15) later('again', between(20, 500));
          return someCapture(hold);
        case 'void':
          if (random() < 0.15) later('again', between(20, 500));
          return voidOf(hold);
        case 'over':
          if (random() < 0.7) later(random() < 0.6 ? 'capture' : 'void', between(20, 300));
          return capture(hold, data.amount.value + between(1, 500));
        case 'again':
          return random() < 0.5 ? someCapture(hold) : voidOf(hold);
        case 'reuse': {
          // A receipt this service point already recorded (4022; the hold stays open), else a new one.
          const used = paymentReceipts.filter((receipt) => receipt.servicePointId === data.servicePointId);
          return capture(hold, between(100, data.amount.value), used.length > 0 ? pick(used).receiptNumber : undefined);
        }
        case 'race': {
          // A capture and a void on one hold at once: exactly one settles it, the other is 409 4044.
          if (made + 1 >= NEW_REQUESTS) return someCapture(hold);
          hold.race = true;
          const pair = random() < 0.5 ? [someCapture(hold), voidOf(hold)] : [voidOf(hold), someCapture(hold)];
          register(pair[1], true);
          return pair[0];
        }
        case 'none':
          return null;
      }
    };

    /** Once an authorisation is granted: a short hold is made to expire soon, and its first follow-up is due. */
    const granted = async (request: Request, data: AuthorizationData) => {
      const hold = request.hold!;
      hold.data = data;
      if (hold.short) {
        for (let attempt = 1; ; attempt++) {
          try {
            await db.query("UPDATE ledger_holds SET expires_at = now() + make_interval(secs => $2) WHERE id = $1 AND status = 'open'", [
              data.id,
              hold.expiresInMs / 1000,
            ]);
            break;
          } catch (error) {
            if (!isDatabaseBusy(error) || attempt >= 50) {
              failures.push(`shortening hold ${data.id}: ${String(error)}`);
              break;
            }
          }
        }
      }
      if (hold.plan !== 'none') due.push({ at: Date.now() + hold.delayMs, hold, step: hold.plan });
    };

    /** Sends one request, retrying 4030 and 9998 with the same key; records the final answer. */
    const send = async (request: Request): Promise<void> => {
      const path = typeof request.path === 'string' ? request.path : await request.path();
      if (path === null) return; // the voucher could not be entered or validated: a failure is recorded
      for (let attempt = 1; ; attempt++) {
        let status: number;
        let body: { code?: string; data?: AnswerData } | undefined;
        let replayed: boolean;
        try {
          const response = await fetch(server.url + path, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'idempotency-key': request.key, ...(request.body ? { 'content-type': 'application/json' } : {}) },
            body: request.body ? JSON.stringify(request.body) : undefined,
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
          // A connection that fails before its answer (a keep-alive connection the server closed
          // as it was reused, on a loaded machine) is retried with the key, as a client must:
          // the key's checks below see to it that the operation still happened once.
          if (attempt < MAX_ATTEMPTS && retried.transport < MAX_TRANSPORT_RETRIES) {
            retried.transport += 1;
            await sleep(between(5, 25));
            continue;
          }
          failures.push(`${request.kind} ${request.key}: ${String(error)}`);
          return;
        }
        const code = status === 200 ? null : (body?.code ?? null); // a 200 carries code 0000
        count(labelOf({ status, code }));
        if (status >= 500 && !(status === 503 && code === '9998'))
          failures.push(`${request.kind} ${request.key} ${path} ${JSON.stringify(request.body)}: ${status} ${JSON.stringify(body)}`);
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
        if (status === 200 && !replayed && answer.data) {
          firsts.push({ request, data: answer.data });
          if (OPERATION_KINDS.has(request.kind)) {
            accepted.push(answer.data as OperationData);
            cancellable.push(answer.data.id);
          } else if (request.kind === 'authorize') await granted(request, answer.data as AuthorizationData);
          else if (request.kind === 'capture') cancellable.push((answer.data as AuthorizationData).paymentId!);
          else if (request.kind === 'transfer' || request.kind === 'recharge') cancellable.push(...(answer.data as OrderData).operationIds);
        }
        return;
      }
    };

    /** What the clients take next: the copies and second keys waiting to race, else a follow-up due, a new request or a later copy. */
    const waiting: Request[] = [];
    /** Records a new key's request and, sometimes, copies of it to race (and one with another body). */
    function register(request: Request, queued = false): void {
      requests.set(request.key, request);
      if (queued) waiting.push(request);
      if (random() < 0.08) {
        const extra = between(1, 2);
        copies.racing += extra;
        for (let n = 0; n < extra; n++) waiting.push(request);
      }
      if (random() < 0.015 && request.body) {
        copies.conflicting += 1;
        const body = request.body as { amount?: Amount; reason?: string };
        const other = body.amount
          ? { ...body, amount: { value: body.amount.value + 1, unit: body.amount.unit } }
          : body.reason
            ? { ...body, reason: 'Autre motif' }
            : { ...body, comment: 'Autre commentaire' };
        waiting.push({ ...request, conflicting: true, body: other });
      }
    }
    const next = (): Request | null => {
      const queued = waiting.shift();
      if (queued) return queued;
      if (made >= NEW_REQUESTS) return null;
      const now = Date.now();
      const ready = due.findIndex((item) => item.at <= now);
      if (ready >= 0) {
        const [item] = due.splice(ready, 1);
        const request = followUp(item.hold, item.step);
        if (request) {
          register(request);
          return request;
        }
      }
      if (made > 50 && random() < 0.08) {
        copies.later += 1;
        return requests.get(`conc-${seed}-${between(1, made)}`)!;
      }
      const request = newRequest();
      register(request);
      return request;
    };

    const sweep = async (): Promise<number> => {
      try {
        const expired = await expireHolds(database.db, SYSTEM_ACTORS.system, 50);
        sweeps.runs += 1;
        sweeps.expired += expired;
        return expired;
      } catch (error) {
        if (!isDatabaseBusy(error)) failures.push(`expireHolds: ${String(error)}`);
        sweeps.busy += 1;
        return -1;
      }
    };

    const started = Date.now();
    let running = true;
    const sweepers = Array.from({ length: SWEEPERS }, async () => {
      while (running) {
        await sweep();
        await sleep(20);
      }
    });
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let request = next(); request; request = next()) await send(request);
      }),
    );
    running = false;
    await Promise.all(sweepers);
    // Copies sent once everything settled: each must replay its key's first answer.
    const settled = [...requests.values()].filter(() => random() < 0.05);
    copies.final = settled.length;
    await Promise.all(
      Array.from({ length: 10 }, async (_, lane) => {
        for (let n = lane; n < settled.length; n += 10) await send(settled[n]);
      }),
    );
    // The last short holds past their expiry, then swept until none is left.
    await sleep(400);
    for (let attempt = 0; attempt < 200 && (await sweep()) !== 0; attempt++) await sleep(10);
    const seconds = (Date.now() - started) / 1000;

    // ---- answers
    const sendings = [...answers.values()].reduce((sum, list) => sum + list.length, 0);
    const finals = new Map<string, number>();
    for (const list of answers.values()) for (const answer of list) finals.set(labelOf(answer), (finals.get(labelOf(answer)) ?? 0) + 1);
    const byKind = new Map<string, number>();
    for (const [key, list] of answers) {
      const label = `${requests.get(key)!.kind} ${labelOf(outcomeOf(list))}`;
      byKind.set(label, (byKind.get(label) ?? 0) + 1);
    }
    const keysByKind = new Map<Kind, number>();
    for (const request of requests.values()) keysByKind.set(request.kind, (keysByKind.get(request.kind) ?? 0) + 1);
    const firstsOf = (...kinds: Kind[]) => firsts.filter((first) => kinds.includes(first.request.kind));
    const executed = firstsOf('transfer', 'recharge').map((first) => first.data as OrderData);
    const capturedHolds = firstsOf('capture').map((first) => first.data as AuthorizationData);
    const grantedHolds = holds.filter((hold) => hold.data);

    const holdRows = await db.query<{ id: string; status: string; card_id: string; amount: string; captured_amount: string | null; payment_id: string | null }>(
      'SELECT id, status, card_id, amount::text, captured_amount::text, payment_id FROM ledger_holds WHERE card_id = ANY($1)',
      [cards],
    );
    const summary = {
      seed,
      seconds,
      newKeys: requests.size,
      sendings,
      copies,
      inFlightRetries: retried.inFlight,
      busyRetries: retried.busy,
      transportRetries: retried.transport,
      busyKeys: retried.busyKeys.size,
      keysByKind: Object.fromEntries([...keysByKind].sort()),
      operationsMade: accepted.length + capturedHolds.length + executed.reduce((sum, order) => sum + order.operationIds.length, 0),
      holds: {
        granted: grantedHolds.length,
        short: grantedHolds.filter((hold) => hold.short).length,
        captureVoidRaces: grantedHolds.filter((hold) => hold.race).length,
        captured: capturedHolds.length,
        voided: firstsOf('void').length,
        sweeps: sweeps.runs,
        sweptExpired: sweeps.expired,
        sweepsBusy: sweeps.busy,
        byStatus: Object.fromEntries(
          ['open', 'captured', 'voided', 'expired'].map((status) => [status, holdRows.filter((row) => row.status === status).length]),
        ),
      },
      vouchers: {
        transfers: vouchers.filter((voucher) => voucher.input.type === 'transfer').length,
        pairedTransfers: vouchers.filter((voucher) => voucher.paired).length,
        recharges: vouchers.filter((voucher) => voucher.input.type === 'recharge').length,
        executeRaces: vouchers.filter((voucher) => voucher.race).length,
        executedTransfers: executed.filter((order) => order.type === 'transfer').length,
        executedRecharges: executed.filter((order) => order.type === 'recharge').length,
      },
      rawStatuses: Object.fromEntries([...seen].sort()),
      finalAnswers: Object.fromEntries([...finals].sort()),
      firstAnswerByKind: Object.fromEntries([...byKind].sort()),
    };
    process.stdout.write(`ledger-concurrency summary: ${JSON.stringify(summary, null, 1)}\n`);
    /** Every operation the answers say they made. */
    const operationIds = [
      ...accepted.map((operation) => operation.id),
      ...capturedHolds.map((hold) => hold.paymentId!),
      ...executed.flatMap((order) => order.operationIds),
    ];
    return {
      db,
      operationsBefore,
      operationIds,
      answers,
      requests,
      seen,
      firsts,
      accepted,
      vouchers,
      copies,
      retried,
      sweeps,
      failures,
      sendings,
      finals,
      keysByKind,
      firstsOf,
      executed,
      capturedHolds,
      grantedHolds,
      holdRows,
      summary,
    };
  }
  let run: Awaited<ReturnType<typeof race>>;
  beforeAll(async () => {
    run = await race();
  }, 120_000);

  it('when 50 clients race payments, fees, regularisations, cancellations, holds, transfers, recharges and repeated keys on shared cards, then no answer is a 500 or outside what the mix can get, and each kind of key had its share', async () => {
    const { requests, seen, failures, sendings, finals, keysByKind } = run;
    // A 500 names its cause only in the server's log: show those lines.
    const systemErrors = captured().lines.filter((line) => /"level":50/.test(line) && !/"msg":"database busy"/.test(line));
    expect({ systemErrors, failures }).toEqual({ systemErrors: [], failures: [] }); // together: a failure names the request of a 500's requestId
    // No 500, and no answer outside what the mix can get (4030 and 9998 were retried until they went).
    const expectedFinal = new Set(['200', '409 4010', '409 4019', '409 4020', '409 4022', '422 4031', '409 4040', '409 4042', '409 4043', '409 4044']);
    expect([...seen.keys()].filter((label) => label.startsWith('5') && label !== '503 9998')).toEqual([]);
    expect([...finals.keys()].filter((label) => !expectedFinal.has(label))).toEqual([]);
    expect(requests.size).toBe(NEW_REQUESTS);
    expect(sendings).toBeGreaterThanOrEqual(2000);
    for (const kind of ['payment', 'authorize', 'transfer'] as const) expect([kind, (keysByKind.get(kind) ?? 0) >= SHARE]).toEqual([kind, true]);
  });

  it('when 50 clients race payments, fees, regularisations, cancellations, holds, transfers, recharges and repeated keys on shared cards, then every copy of a key got the first answer, and only the first one ran', async () => {
    const { answers } = run;
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
  });

  it('when 50 clients race payments, fees, regularisations, cancellations, holds, transfers, recharges and repeated keys on shared cards, then every key answered 200 made exactly one thing, stored with its key, and nothing else was made', async () => {
    const { db, operationsBefore, operationIds, answers, requests, firsts } = run;
    // Every key answered 200 made exactly one thing, stored with its key: an operation, a hold, a
    // hold's settlement (a capture with its payment) or a voucher's execution (one operation a
    // line); nothing else was made.
    const okKeys = [...answers]
      .filter(([, list]) => outcomeOf(list).status === 200)
      .map(([key, list]) => ({ key, request: requests.get(key)!, data: outcomeOf(list).data! }));
    const madeBy = (ok: (typeof okKeys)[number]) => (SETTLE_KINDS.has(ok.request.kind) ? `settled ${ok.data.id}` : ok.data.id);
    const madeTwice = okKeys.map(madeBy).filter((made, index, all) => all.indexOf(made) !== index);
    expect(madeTwice).toEqual([]);
    expect(okKeys.length).toBe(firsts.length);
    expect(new Set(operationIds).size).toBe(operationIds.length);
    const [{ n: operationsAfter }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_operations');
    expect(operationsAfter - operationsBefore).toBe(operationIds.length);
    const found = await db.query<{ id: string }>('SELECT id FROM ledger_operations WHERE id = ANY($1)', [operationIds]);
    expect(found.length).toBe(operationIds.length);
    const stored = await db.query<{ key: string; status: number; id: string | null }>(
      "SELECT key, status, answer->'data'->>'id' AS id FROM idempotency_keys WHERE key LIKE $1",
      [`conc-${seed}-%`],
    );
    expect(stored.length).toBe(answers.size); // one row per key, however many copies were sent
    const firstOf = new Map([...answers].map(([key, list]) => [key, outcomeOf(list)]));
    expect(stored.filter((row) => row.status !== firstOf.get(row.key)?.status || (row.status === 200 && row.id !== firstOf.get(row.key)?.data?.id))).toEqual(
      [],
    );
  });

  it('when 50 clients race payments, fees, regularisations, cancellations, holds, transfers, recharges and repeated keys on shared cards, then the cancelled operations are exactly those the accepted cancellations name', async () => {
    const { db, operationIds, accepted } = run;
    // Cancelled operations are exactly those the accepted cancellations name.
    const cancelledByAnswers = accepted
      .filter((operation) => operation.type === 'cancellation')
      .map((operation) => operation.cancels)
      .sort();
    const cancelledInDb = (await db.query<{ id: string }>("SELECT id FROM ledger_operations WHERE status = 'cancelled' AND id = ANY($1)", [operationIds]))
      .map((row) => row.id)
      .sort();
    expect(cancelledInDb).toEqual(cancelledByAnswers);
  });

  it('when 50 clients race payments, fees, regularisations, cancellations, holds, transfers, recharges and repeated keys on shared cards, then each hold is in the state its answers say, settled once, and each card holds exactly its open holds', async () => {
    const { db, answers, requests, sweeps, grantedHolds, holdRows } = run;
    // Holds: each granted one is in the state its answers say (captured or voided by the one
    // key answered 200, else expired when it was short, else still open); every refusal is the
    // precise one; the sweeps expired each expired hold once.
    const holdProblems: string[] = [];
    const rowOf = new Map(holdRows.map((row) => [row.id, row]));
    expect(holdRows.length).toBe(grantedHolds.length);
    const settlesOf = new Map<Hold, { request: Request; answer: Answer }[]>();
    for (const [key, list] of answers) {
      const request = requests.get(key)!;
      if (request.hold && SETTLE_KINDS.has(request.kind))
        settlesOf.set(request.hold, [...(settlesOf.get(request.hold) ?? []), { request, answer: outcomeOf(list) }]);
    }
    const expectedHeld = new Map<string, number>(cards.map((card) => [card, 0]));
    for (const hold of grantedHolds) {
      const data = hold.data!;
      const row = rowOf.get(data.id);
      const settles = settlesOf.get(hold) ?? [];
      const won = settles.filter(({ answer }) => answer.status === 200);
      const status = won.length > 0 ? (won[0].request.kind === 'void' ? 'voided' : 'captured') : hold.short ? 'expired' : 'open';
      if (won.length > 1) holdProblems.push(`${data.id}: settled by ${won.length} keys`);
      if (!row || row.status !== status) holdProblems.push(`${data.id}: ${row?.status} in the database, ${status} by the answers`);
      if (status === 'captured') {
        const answer = won[0].answer.data as AuthorizationData;
        if (row?.payment_id !== answer.paymentId || Number(row?.captured_amount) !== answer.captured?.value)
          holdProblems.push(`${data.id}: payment ${row?.payment_id} ${row?.captured_amount}, answered ${answer.paymentId} ${answer.captured?.value}`);
      }
      if (status === 'open') expectedHeld.set(data.cardId, expectedHeld.get(data.cardId)! + data.amount.value);
      for (const { request, answer } of settles) {
        const label = labelOf(answer);
        const allowed =
          label === '200'
            ? request.kind !== 'overcapture'
            : label === '409 4044'
              ? won.length > 0
              : label === '409 4042'
                ? hold.short && won.length === 0 // once past its expiry nothing settles it, and once settled it is 4044
                : label === '409 4043'
                  ? request.kind === 'overcapture'
                  : label === '409 4022'
                    ? hold.plan === 'reuse' && request.kind === 'capture'
                    : false;
        if (!allowed) holdProblems.push(`${data.id} (${hold.plan}${hold.short ? ', short' : ''}): ${request.kind} ${request.key} answered ${label}`);
      }
      if (hold.race && !hold.short && settles.length >= 2 && won.length !== 1) holdProblems.push(`${data.id}: a capture raced a void and ${won.length} won`);
    }
    expect(holdProblems).toEqual([]);
    expect(holdRows.filter((row) => row.status === 'expired').length).toBe(sweeps.expired);
    // Each hold raised its creation and, once settled, one settlement (never two: a capture and
    // an expiry, or two sweeps).
    const holdEvents = await db.query<{ resource_id: string; types: string }>(
      "SELECT resource_id, string_agg(type, ',' ORDER BY seq) AS types FROM events WHERE resource_type = 'authorization' GROUP BY resource_id",
    );
    const eventsOf = new Map(holdEvents.map((row) => [row.resource_id, row.types]));
    expect(
      holdRows
        .filter((row) => eventsOf.get(row.id) !== (row.status === 'open' ? 'hold.created' : `hold.created,hold.${row.status}`))
        .map((row) => `${row.id} ${row.status}: ${eventsOf.get(row.id)}`),
    ).toEqual([]);
    // A refused capture recorded nothing (its receipt is on no operation); an accepted one recorded its payment.
    const captureReceipts = [...answers].flatMap(([key, list]) => {
      const request = requests.get(key)!;
      if ((request.kind !== 'capture' && request.kind !== 'overcapture') || request.hold!.plan === 'reuse') return [];
      const outcome = outcomeOf(list); // a copy with another body has the same receipt
      return [
        {
          receipt: (request.body as { receiptNumber: string }).receiptNumber,
          paymentId: outcome.status === 200 ? (outcome.data as AuthorizationData).paymentId : null,
        },
      ];
    });
    const receiptOperations = await db.query<{ receipt_number: string; id: string }>(
      'SELECT receipt_number, id FROM ledger_operations WHERE receipt_number = ANY($1)',
      [captureReceipts.map((item) => item.receipt)],
    );
    const operationOfReceipt = new Map(receiptOperations.map((row) => [row.receipt_number, row.id]));
    expect(captureReceipts.filter((item) => (operationOfReceipt.get(item.receipt) ?? null) !== item.paymentId)).toEqual([]);
    expect(receiptOperations.length).toBe(captureReceipts.filter((item) => item.paymentId).length);
    // Each card holds exactly its open holds (checkLedger checks the same from the rows alone).
    const heldRows = await db.query<{ card_id: string; held: string }>('SELECT card_id, held::text FROM ledger_accounts WHERE card_id = ANY($1)', [cards]);
    expect(Object.fromEntries(heldRows.map((row) => [row.card_id, Number(row.held)]).sort())).toEqual(Object.fromEntries([...expectedHeld].sort()));
  });

  it('when 50 clients race payments, fees, regularisations, cancellations, holds, transfers, recharges and repeated keys on shared cards, then each voucher was executed once at most, by one key, with one operation a line', async () => {
    const { db, answers, requests, vouchers } = run;
    // Vouchers: each executed once at most, by one key; a voucher executed with two keys at once
    // is executed by one, the other refused 409 4040; each execution made one operation a line.
    const voucherProblems: string[] = [];
    const executesOf = new Map<Voucher, Answer[]>();
    for (const [key, list] of answers) {
      const request = requests.get(key)!;
      if (request.voucher) executesOf.set(request.voucher, [...(executesOf.get(request.voucher) ?? []), outcomeOf(list)]);
    }
    const orderRows = await db.query<{ id: string; status: string; operations: number; total: string | null; executions: number }>(
      `SELECT o.id, o.status, count(op.id)::int AS operations, sum(op.amount)::text AS total,
              (SELECT count(*)::int FROM order_steps s WHERE s.order_id = o.id AND s.step = 'executed') AS executions
         FROM orders o LEFT JOIN ledger_operations op ON op.order_id = o.id GROUP BY o.id`,
    );
    expect(orderRows.length).toBe(vouchers.filter((voucher) => voucher.orderId).length);
    const orderOf = new Map(orderRows.map((row) => [row.id, row]));
    for (const voucher of vouchers) {
      const list = executesOf.get(voucher) ?? [];
      if (!voucher.orderId || list.length === 0) continue; // its keys were never sent (the run ended first)
      const row = orderOf.get(voucher.orderId);
      const won = list.filter((answer) => answer.status === 200);
      const labels = list.map(labelOf).sort();
      const lines = voucher.input.lines;
      if (won.length > 1) voucherProblems.push(`${voucher.orderId}: executed by ${won.length} keys`);
      if (row?.status !== (won.length === 1 ? 'executed' : 'validated') || row.executions !== won.length) {
        voucherProblems.push(`${voucher.orderId}: ${row?.status} in the database (${row?.executions} executed steps), ${won.length} keys answered 200`);
      }
      const total = lines.reduce((sum, line) => sum + line.amount.value, 0);
      if (
        won.length === 1 &&
        (row?.operations !== lines.length || Number(row?.total) !== total || (won[0].data as OrderData).operationIds.length !== lines.length)
      ) {
        voucherProblems.push(`${voucher.orderId}: ${row?.operations} operations of ${row?.total} for ${lines.length} lines of ${total}`);
      }
      if (won.length === 0 && row?.operations !== 0) voucherProblems.push(`${voucher.orderId}: ${row?.operations} operations, not executed`);
      const refusals = voucher.input.type === 'transfer' ? ['409 4010'] : [];
      if (voucher.race && list.length === 2 && labels.join() !== '200,409 4040')
        voucherProblems.push(`${voucher.orderId} (${voucher.input.type}, two keys at once): ${labels.join(', ')}`);
      if (!voucher.race && labels.some((label) => label !== '200' && !refusals.includes(label)))
        voucherProblems.push(`${voucher.orderId} (${voucher.input.type}): ${labels.join(', ')}`);
    }
    expect(voucherProblems).toEqual([]);
  });

  it('when 50 clients race payments, fees, regularisations, cancellations, holds, transfers, recharges and repeated keys on shared cards, then the invariants hold and no bounded account is below zero', async () => {
    const { db } = run;
    // The invariants hold and no bounded account is below zero.
    await expectLedgerHolds(db);
    expect(await db.query('SELECT id, posted::text, held::text FROM ledger_accounts WHERE non_negative AND (posted < 0 OR posted - held < 0)')).toEqual([]);
  });

  it("when 50 clients race payments, fees, regularisations, cancellations, holds, transfers, recharges and repeated keys on shared cards, then each card's balance is what the answers say", async () => {
    const { db, accepted, executed, capturedHolds } = run;
    // Each card's balance: its initial credit, minus what the accepted answers debited, plus what
    // they credited (captured payments and executed vouchers included).
    const expected = new Map(initial);
    const move = (cardId: string | null, value: number) => {
      if (cardId) expected.set(cardId, (expected.get(cardId) ?? 0) + value);
    };
    for (const operation of accepted) {
      move(operation.debit.cardId, -operation.amount.value);
      move(operation.credit.cardId, operation.amount.value);
    }
    const stationCardOf = new Map(stations.map((station) => [station.id, station.cardId]));
    for (const hold of capturedHolds) {
      move(hold.cardId, -hold.captured!.value);
      move(stationCardOf.get(hold.servicePointId)!, hold.captured!.value);
    }
    for (const order of executed) {
      for (const line of order.lines) {
        move(order.fromCardId, -line.amount!.value);
        move(line.cardId, line.amount!.value);
      }
    }
    // An E-service card's balance is the sum of its entries (migration 013).
    const balances = await db.query<{ card_id: string; posted: string }>(
      `SELECT a.card_id, (CASE WHEN a.stored_balance THEN a.posted ELSE (SELECT COALESCE(sum(e.amount), 0) FROM ledger_entries e WHERE e.account_id = a.id) END)::text AS posted
         FROM ledger_accounts a WHERE a.card_id = ANY($1)`,
      [[...initial.keys()]],
    );
    expect(Object.fromEntries(balances.map((row) => [row.card_id, Number(row.posted)]).sort())).toEqual(Object.fromEntries([...expected].sort()));
  });

  it('when 50 clients race payments, fees, regularisations, cancellations, holds, transfers, recharges and repeated keys on shared cards, then the mix did what it is for', async () => {
    const { answers, accepted, copies, retried, sweeps, finals, firstsOf, capturedHolds, summary } = run;
    // The mix did what it is for.
    expect(finals.get('409 4010') ?? 0).toBeGreaterThan(0);
    expect(accepted.filter((operation) => operation.type === 'cancellation').length).toBeGreaterThan(0);
    expect(copies.racing + copies.later + copies.final).toBeGreaterThan(100);
    expect(finals.get('422 4031') ?? 0).toBeGreaterThan(0);
    for (const label of ['409 4040', '409 4042', '409 4043', '409 4044']) expect([label, (finals.get(label) ?? 0) > 0]).toEqual([label, true]);
    expect(capturedHolds.length).toBeGreaterThan(0);
    expect(firstsOf('void').length).toBeGreaterThan(0);
    expect(sweeps.expired).toBeGreaterThan(0);
    expect(summary.vouchers.executedTransfers).toBeGreaterThan(0);
    expect(summary.vouchers.executedRecharges).toBeGreaterThan(0);
    // 503 9998 is allowed only when its retry with the same key completed once (checked above for every key).
    expect([...retried.busyKeys].filter((key) => (answers.get(key) ?? []).filter((answer) => !answer.replayed && answer.code !== '4031').length !== 1)).toEqual(
      [],
    );
  });
});
