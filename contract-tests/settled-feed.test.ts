/**
 * Lists a partner syncs from never lose what commits late. A recharge writes
 * its operation and events, then waits for its partner's day row before COMMIT; a payment on
 * another card commits meanwhile. A poller that keeps its cursor must still receive the
 * recharge afterwards, from the events feed and from the operations lists resumed by cursor:
 * exactly what a full read from the start gives, in the same order, once each.
 *
 * The delays are real locks on PostgreSQL (skipped on PGlite: one session, nothing ever
 * waits); the last test, on both engines, checks the operations lists' resumeCursor.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CardService, type Operation, type PartnerEvent, type PartnerOperation } from '../generated/sdk';
import { usingPostgres } from './support/database';
import { startTestServer, type TestServer } from './support/server';
import { contractedPartner, fundedCard, newCardProfile, newClient, newNetwork, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
let partner: { id: string; token: string };
let clientId: string;
let servicePointId: string;
let profileId: string;
const core = () => server.sdk({ token });
const partnerApi = () => server.sdk({ token: partner.token }).partner;
const postgresOnly = usingPostgres() ? it : it.skip;

async function issueFundedCard(): Promise<string> {
  return (await fundedCard(core(), { clientId, profileId }, 1_000_000)).id;
}

const recharge = (cardId: string) =>
  partnerApi().createPartnerRecharge({ idempotencyKey: randomUUID(), partnerRechargeCreate: { cardId, amount: xof(100), externalReference: randomUUID() } });
const pay = (cardId: string) =>
  core().coreLedger.createPayment({
    idempotencyKey: randomUUID(),
    paymentCreate: { cardId, servicePointId, amount: xof(100), service: CardService.Shop, receiptNumber: randomUUID() },
  });

/** The partner's feed after the cursor, every page. */
async function feed(cursor?: string): Promise<{ items: PartnerEvent[]; cursor?: string }> {
  const items: PartnerEvent[] = [];
  for (;;) {
    const page = (await partnerApi().listPartnerEvents({ cursor, limit: 100 })).data;
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    if (!page.hasMore) return { items, cursor };
  }
}

/** A list read after the cursor, every page; the cursor to resume from is the last page's resumeCursor. */
async function resumed<T>(read: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null; resumeCursor: string | null }>, cursor?: string) {
  const items: T[] = [];
  for (;;) {
    const page = await read(cursor);
    items.push(...page.items);
    if (page.nextCursor === null) return { items, cursor: page.resumeCursor ?? undefined };
    cursor = page.nextCursor;
  }
}
const coreOperations = (cursor?: string) => resumed<Operation>(async (at) => (await core().coreLedger.listOperations({ cursor: at, limit: 100 })).data, cursor);
const partnerOperations = (cursor?: string) =>
  resumed<PartnerOperation>(async (at) => (await partnerApi().listPartnerOperations({ cursor: at, limit: 100 })).data, cursor);

/** Opens a session of its own on the test's database (PostgreSQL). */
async function session(): Promise<Client> {
  const client = new Client({ connectionString: server.database.url });
  await client.connect();
  return client;
}

/** Waits until `count` sessions of the test's database wait for a lock. */
async function untilWaiting(observer: Client, count: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const { rows } = await observer.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if (rows[0].n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`fewer than ${count} sessions waited for a lock`);
}

/** Holds the partner's day row of recharges (each recharge updates it just before COMMIT). */
async function holdDayRow(holder: Client): Promise<void> {
  await holder.query('BEGIN');
  await holder.query('SELECT 1 FROM partner_recharge_days WHERE partner_id = $1 FOR UPDATE', [partner.id]);
}

const ids = (items: { id: string }[]) => items.map((item) => item.id);

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const networkId = await newNetwork(core(), 'RES-SETTLED');
  profileId = await newCardProfile(core(), 'SETTLED', { validityMonths: 24, monthlyOfflineCap: xof(0), allowedServices: [CardService.Fuel, CardService.Shop] });
  servicePointId = (await newStation(core(), networkId, 'STATION-SETTLED')).id;
  clientId = await newClient(core(), networkId, 'CLIENT-SETTLED', 'Transports Ivoiriens');
  const scopes = ['partner:events.read', 'partner:operations.read', 'partner:recharges.write', 'partner:cards.read'];
  partner = await contractedPartner(server, core(), { name: 'Orange Money', scopes, clientId, float: 10_000_000, floatReference: 'VIR-SETTLED' });
});
afterAll(() => server.stop());

describe('a late commit', () => {
  postgresOnly(
    'when a recharge commits after a later payment, then a poller that kept its cursor still receives it, from the feed and from the operations lists',
    async () => {
      const [cardA, cardB] = [await issueFundedCard(), await issueFundedCard()];
      await recharge(cardA); // the partner's day row exists from now on
      const start = { feed: (await feed()).cursor, core: (await coreOperations()).cursor, partner: (await partnerOperations()).cursor };

      const holder = await session();
      const observer = await session();
      try {
        await holdDayRow(holder);
        const late = recharge(cardA); // writes its operation and events, then waits for the day row
        await untilWaiting(observer, 1);
        const payment = (await pay(cardB)).data; // commits first
        const during = { feed: await feed(start.feed), core: await coreOperations(start.core), partner: await partnerOperations(start.partner) };
        await holder.query('COMMIT');
        const recharged = (await late).data;
        const after = {
          feed: await feed(during.feed.cursor),
          core: await coreOperations(during.core.cursor),
          partner: await partnerOperations(during.partner.cursor),
        };

        const full = { feed: await feed(start.feed), core: await coreOperations(start.core), partner: await partnerOperations(start.partner) };
        expect(full.feed.items.map((event) => event.resourceId)).toEqual(expect.arrayContaining([recharged.id, payment.id]));
        expect(ids(full.core.items)).toEqual(expect.arrayContaining([recharged.id, payment.id]));
        expect(ids(full.partner.items)).toContain(recharged.id);
        expect(ids([...during.feed.items, ...after.feed.items])).toEqual(ids(full.feed.items));
        expect(ids([...during.core.items, ...after.core.items])).toEqual(ids(full.core.items));
        expect(ids([...during.partner.items, ...after.partner.items])).toEqual(ids(full.partner.items));
      } finally {
        await holder.end();
        await observer.end();
      }
    },
  );

  postgresOnly(
    'when writers race while commits are held back, then a poller that keeps its cursors sees every event and operation once, in the order of a full read',
    async () => {
      const cards = await Promise.all(Array.from({ length: 6 }, () => issueFundedCard()));
      await recharge(cards[0]);
      const start = { feed: (await feed()).cursor, core: (await coreOperations()).cursor };
      const seen = { feed: [] as PartnerEvent[], core: [] as Operation[] };
      let cursors = { ...start };
      let writing = true;
      const poll = async () => {
        const [events, operations] = await Promise.all([feed(cursors.feed), coreOperations(cursors.core)]);
        seen.feed.push(...events.items);
        seen.core.push(...operations.items);
        cursors = { feed: events.cursor, core: operations.cursor };
      };
      const poller = (async () => {
        while (writing) await poll();
      })();
      // The delayer holds the day row for a while, again and again: recharges wait before COMMIT
      // with their events written, while payments on the same cards commit.
      const holder = await session();
      const delayer = (async () => {
        while (writing) {
          await holdDayRow(holder);
          await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 150));
          await holder.query('COMMIT');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const writer = async (index: number) => {
        for (let round = 0; round < 25; round++) {
          const cardId = cards[(index + round) % cards.length];
          await (index % 2 === 0 ? recharge(cardId) : pay(cardId));
        }
      };
      try {
        await Promise.all(Array.from({ length: 8 }, (_, index) => writer(index)));
      } finally {
        writing = false;
        await delayer;
        await holder.end();
        await poller;
      }
      await poll(); // everything has committed: the last poll takes the rest

      const full = { feed: await feed(start.feed), core: await coreOperations(start.core) };
      expect(full.feed.items.length).toBeGreaterThanOrEqual(200);
      expect(full.core.items.length).toBe(200);
      expect(ids(seen.feed)).toEqual(ids(full.feed.items));
      expect(ids(seen.core)).toEqual(ids(full.core.items));
    },
  );
});

describe('resuming a list', () => {
  it('when the last page of operations is read, then its resumeCursor reads only the operations that come after, and an empty page keeps it', async () => {
    const cardId = await issueFundedCard();
    await recharge(cardId);
    const before = await partnerOperations();
    expect(before.cursor).toEqual(expect.any(String));
    const empty = (await partnerApi().listPartnerOperations({ cursor: before.cursor })).data;
    expect(empty).toEqual({ items: [], nextCursor: null, resumeCursor: before.cursor });
    const next = (await recharge(cardId)).data;
    const after = await partnerOperations(before.cursor);
    expect(ids(after.items)).toEqual([next.id]);
    const coreAfter = (await core().coreLedger.listOperations({ cursor: (await coreOperations()).cursor })).data;
    expect(coreAfter.items).toEqual([]);
  });

  it('when a cursor is not one this API gave, then the answer is 400 code 2001 naming the cursor', async () => {
    for (const cursor of ['bm90LWEtY3Vyc29y', Buffer.from('99999999999999999999.1').toString('base64url'), Buffer.from('1.0').toString('base64url')]) {
      const response = await fetch(`${server.url}/partner/v1/operations?cursor=${cursor}`, { headers: { authorization: `Bearer ${partner.token}` } });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: '2001', errors: [{ path: '/query/cursor' }] });
    }
  });
});

describe('a horizon that moves while it is read', () => {
  // pg_stat_activity is read after the statement's snapshot: a transaction of another database
  // that ends in between can no longer be told apart from one of ours. Held there, a list hid
  // for one read what had just committed (a CI run once missed a decline read right after it).
  postgresOnly(
    'when the transaction below the horizon ends between the snapshot and the read, then settled_horizon() raises CYH01 instead of holding there',
    async () => {
      const elsewhere = new Client({ connectionString: process.env.DATABASE_URL });
      await elsewhere.connect();
      const reader = await session();
      try {
        await elsewhere.query('BEGIN');
        await elsewhere.query('SELECT pg_current_xact_id()');
        const cardId = await issueFundedCard();
        await recharge(cardId);
        await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await reader.query('SELECT 1'); // the snapshot: the other database's transaction in progress
        await elsewhere.query('COMMIT');
        await expect(reader.query('SELECT settled_horizon()')).rejects.toMatchObject({ code: 'CYH01' });
      } finally {
        await reader.query('ROLLBACK');
        await Promise.all([reader.end(), elsewhere.query('ROLLBACK').then(() => elsewhere.end())]);
      }
    },
  );

  postgresOnly('when a transaction of another database is in progress, then it holds nothing back: what committed here is listed at once', async () => {
    const elsewhere = new Client({ connectionString: process.env.DATABASE_URL });
    await elsewhere.connect();
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      const cardId = await issueFundedCard();
      const done = (await recharge(cardId)).data;
      expect(ids((await partnerOperations()).items)).toContain(done.id);
    } finally {
      await elsewhere.query('ROLLBACK');
      await elsewhere.end();
    }
  });

  postgresOnly(
    'when a statement raises CYH01, then it is run again, and the 4th attempt holds the horizon (cynod.settled_horizon = hold) instead of failing',
    async () => {
      const { db } = server.database;
      await db.exec(`CREATE SEQUENCE moved_attempts;
      CREATE FUNCTION moved_until(attempts bigint) RETURNS text LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('moved_attempts') < attempts AND current_setting('cynod.settled_horizon', true) IS DISTINCT FROM 'hold' THEN
          RAISE EXCEPTION 'moved' USING ERRCODE = 'CYH01';
        END IF;
        RETURN currval('moved_attempts') || ' ' || COALESCE(current_setting('cynod.settled_horizon', true), '');
      END $$;`);
      const reset = () => db.query("SELECT setval('moved_attempts', 1, false)");
      await reset();
      expect(await db.query('SELECT moved_until(3) AS n')).toEqual([{ n: '3 ' }]);
      await reset();
      expect(await db.query('SELECT moved_until(9) AS n')).toEqual([{ n: '4 hold' }]);
      await reset();
      expect(await db.transaction((tx) => tx.query('SELECT moved_until(2) AS n'))).toEqual([{ n: '2 ' }]);
      expect(await db.query("SELECT current_setting('cynod.settled_horizon', true) AS hold")).toEqual([{ hold: expect.not.stringMatching(/hold/) }]);
    },
  );

  postgresOnly('when cynod.settled_horizon is hold, then settled_horizon() holds at a transaction that ended between the snapshot and the read', async () => {
    const elsewhere = new Client({ connectionString: process.env.DATABASE_URL });
    await elsewhere.connect();
    const reader = await session();
    try {
      await elsewhere.query('BEGIN');
      const [{ xid }] = (await elsewhere.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows;
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await reader.query("SET LOCAL cynod.settled_horizon = 'hold'");
      await reader.query('SELECT 1');
      await elsewhere.query('COMMIT');
      // Held at that transaction, not past it; or at an earlier one still in progress in the
      // snapshot (another test's, when files run side by side), which ended before the read too.
      const [{ h }] = (await reader.query<{ h: string }>('SELECT settled_horizon()::text AS h')).rows;
      expect(BigInt(h)).toBeLessThanOrEqual(BigInt(xid));
      expect(BigInt(h)).toBeGreaterThan(0n);
    } finally {
      await reader.query('ROLLBACK');
      await Promise.all([reader.end(), elsewhere.end()]);
    }
  });
});
