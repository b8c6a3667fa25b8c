/**
 * Statements a partner or the back office pages through never lose a line that commits late.
 * A station's payment writes its operation and entries (no float entry; an unlocked credit to
 * the station's E-service card), then waits before COMMIT for its Idempotency-Key's row, which
 * another session inserted and holds; later payments and recharges commit meanwhile. A reader
 * that pages one line at a time and keeps its cursor must still receive the late line, and
 * its paged read must hold what a full read holds, once each, each float balance following
 * from the previous one's.
 *
 * The delay is a real lock on PostgreSQL (skipped on PGlite: one session, nothing waits).
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CardService, type CardStatementLinesInner, type PartnerStatementLine } from '../generated/sdk';
import { usingPostgres } from './support/database';
import { startTestServer, type TestServer } from './support/server';
import { contractedPartner, fundedCard, newCardProfile, newClient, newNetwork, newStation, xof, type ContractedPartner } from './support/world';

let server: TestServer;
let token: string;
let partner: ContractedPartner;
let owner: { clientId: string; profileId: string };
let station: { id: string; cardId: string };
const core = () => server.sdk({ token });
const partnerApi = () => server.sdk({ token: partner.token }).partner;
const postgresOnly = usingPostgres() ? it : it.skip;
const today = () => new Date().toISOString().slice(0, 10);

const pay = (cardNumber: string, idempotencyKey = randomUUID()) =>
  partnerApi().createPartnerPayment({
    idempotencyKey,
    partnerPaymentCreate: {
      cardNumber,
      servicePointId: station.id,
      amount: xof(100),
      service: CardService.Shop,
      receiptNumber: randomUUID(),
      externalReference: randomUUID(),
    },
  });
const recharge = (cardId: string) =>
  partnerApi().createPartnerRecharge({ idempotencyKey: randomUUID(), partnerRechargeCreate: { cardId, amount: xof(100), externalReference: randomUUID() } });

/** Every line of today's partner statement after `cursor`, `limit` per page, and the cursor of the last page (the statement's gives none after it). */
async function partnerLines(cursor?: string, limit = 1): Promise<{ lines: PartnerStatementLine[]; cursor?: string }> {
  const lines: PartnerStatementLine[] = [];
  for (;;) {
    const page = (await partnerApi().getPartnerDailyStatement({ day: today(), unit: 'XOF', timeZone: 'UTC', cursor, limit })).data;
    lines.push(...page.lines);
    if (page.nextCursor === null) return { lines, cursor };
    cursor = page.nextCursor;
  }
}

/** Every line of the station's E-service card's statement of today after `cursor`, `limit` per page, and the cursor of the last page. */
async function cardLines(cursor?: string, limit = 1): Promise<{ lines: CardStatementLinesInner[]; cursor?: string }> {
  const lines: CardStatementLinesInner[] = [];
  const from = new Date(`${today()}T00:00:00Z`);
  const to = new Date(Date.now() + 86_400_000);
  for (;;) {
    const page = (await core().coreLedger.getCardStatement({ cardId: station.cardId, unit: 'XOF', from, to, cursor, limit })).data;
    lines.push(...page.lines);
    if (page.nextCursor === null) return { lines, cursor };
    cursor = page.nextCursor;
  }
}

const ids = (lines: { operationId: string }[]) => lines.map((line) => line.operationId);

/** Opens a session of its own on the test's database (PostgreSQL). */
async function session(): Promise<Client> {
  const client = new Client({ connectionString: server.database.url });
  await client.connect();
  return client;
}

/** Waits until a session of the test's database waits for a lock. */
async function untilWaiting(observer: Client): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const { rows } = await observer.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if (rows[0].n >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no session waited for a lock');
}

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const networkId = await newNetwork(core(), 'RES-SETTLED-ST');
  const profileId = await newCardProfile(core(), 'SETTLED-ST', { validityMonths: 24, allowedServices: [CardService.Fuel, CardService.Shop] });
  station = await newStation(core(), networkId, 'STATION-SETTLED-ST');
  owner = { clientId: await newClient(core(), networkId, 'CLIENT-SETTLED-ST', 'Transports Ivoiriens'), profileId };
  const scopes = ['partner:operations.read', 'partner:recharges.write', 'partner:payments.write'];
  partner = await contractedPartner(server, core(), {
    name: 'Station et flotte',
    scopes,
    clientId: owner.clientId,
    servicePointId: station.id,
    float: 1_000_000,
  });
});
afterAll(() => server.stop());

describe('a statement line that commits late', () => {
  postgresOnly(
    "when a station's payment commits after later payments and recharges, then a reader paging one line at a time from its cursor still receives it, in the partner's statement and the E-service card's",
    async () => {
      const [cardA, cardB] = [await fundedCard(core(), owner, 100_000), await fundedCard(core(), owner, 100_000)];
      await recharge(cardA.id);
      await pay(cardB.number);
      const before = { partner: await partnerLines(), card: await cardLines() };
      const start = { partner: before.partner.cursor, card: before.card.cursor };

      const holder = await session();
      const observer = await session();
      try {
        const key = randomUUID();
        await holder.query('BEGIN');
        await holder.query("INSERT INTO idempotency_keys (caller, key, operation, fingerprint, status, answer) VALUES ($1, $2, 'held', 'held', 200, '{}')", [
          `partner:${partner.id}`,
          key,
        ]);
        const late = pay(cardA.number, key); // writes its entries, then waits for the key's row
        await untilWaiting(observer);
        await pay(cardB.number);
        await recharge(cardB.id);
        await pay(cardB.number);
        const during = { partner: await partnerLines(start.partner), card: await cardLines(start.card) };
        await holder.query('ROLLBACK');
        const paid = (await late).data;
        const after = { partner: await partnerLines(during.partner.cursor), card: await cardLines(during.card.cursor) };

        const full = { partner: await partnerLines(undefined, 100), card: await cardLines(undefined, 100) };
        // A read resumed from the cursor of the last page reads that page again: the reader keeps each line once, as first seen.
        const once = <T extends { operationId: string }>(lines: T[]) => lines.filter((line, index) => ids(lines).indexOf(line.operationId) === index);
        const paged = {
          partner: once([...before.partner.lines, ...during.partner.lines, ...after.partner.lines]),
          card: once([...before.card.lines, ...during.card.lines, ...after.card.lines]),
        };
        expect(ids(during.partner.lines)).not.toContain(paid.id);
        expect(ids(during.card.lines)).not.toContain(paid.id);
        expect(ids(paged.partner)).toContain(paid.id);
        expect(ids(paged.partner).sort()).toEqual(ids(full.partner.lines).sort());
        expect(paged.partner).toHaveLength(full.partner.lines.length);
        const floatBalances = (lines: PartnerStatementLine[]) => lines.flatMap((line) => (line.floatBalanceAfter ? [line.floatBalanceAfter.value] : []));
        expect(floatBalances(paged.partner)).toEqual(floatBalances(full.partner.lines));
        expect(paged.card).toEqual(full.card.lines);
        expect(ids(paged.card)).toContain(paid.id);
      } finally {
        await holder.end();
        await observer.end();
      }
    },
  );
});
