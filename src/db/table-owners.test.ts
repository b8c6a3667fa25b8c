/**
 * Every table has one owner: the area of src/ that writes it (INSERT, UPDATE, DELETE). Other
 * areas change it only through the owner's functions; the few writes that cannot go through
 * them are listed with their reason. Reads by other areas go through the owner's functions
 * too; the few that cannot (one statement on a hot path, an area beneath the owner) are listed
 * with their reason, and the list may only shrink.
 * Tables come from the migrations, so a new table without an owner fails here. A plain scan
 * of the files, no database.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The owner of each table: an area is a folder of src/domain/, `kernel` its top files, or a folder of src/. */
const OWNERS: Record<string, readonly string[]> = {
  referential: ['networks', 'clients', 'units', 'energy_types', 'energy_prices', 'service_points', 'fuel_tickets', 'client_price_agreements'],
  cards: ['cards', 'card_profiles', 'card_controls', 'card_profile_controls', 'card_transitions'],
  fleet: ['vehicles', 'drivers'],
  operators: ['operators', 'operator_roles', 'operator_role_grants'],
  ledger: ['ledger_accounts', 'ledger_entries', 'ledger_operations'],
  payments: ['ledger_holds', 'orders', 'order_steps', 'card_declines', 'card_exceptions', 'settlement_day_starts', 'settlement_payouts'],
  partners: ['partners', 'partner_contracts', 'partner_credentials', 'partner_recharge_limits', 'partner_recharge_days'],
  events: ['events'],
  webhooks: ['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts'],
  audit: ['audit_events'],
  security: ['security_events', 'rate_counters'],
  auth: ['access_tokens'],
  kernel: ['idempotency_keys', 'deployment', 'sandbox_clock_moves'],
};

/** Writes by an area that does not own the table, each for a reason ("table by area"). */
const FOREIGN_WRITES: Record<string, string> = {
  'cards by events': "the event outbox numbers a member card's events on its row (cards.event_sequence), under the card lock its writer already holds",
  'access_tokens by partners': 'disabling a partner revokes its tokens in the same transaction',
};

/**
 * Reads of another area's table that do not go through the owner's functions or a named view, each
 * for a reason ("table by area"); the list only shrinks.
 */
const FOREIGN_READS: Record<string, string> = {
  'card_controls by payments':
    "the pay-at-pump's prepared read (payments/payment-accounts.ts) takes the card, the station, both accounts, the controls, the unit, the vehicle, the driver and the profile in one round trip on the hottest path",
  'card_declines by gateway':
    "a card's history pages its entries and its declines in one ordered UNION (gateway/card-history.ts), so a page boundary is exact across both",
  'card_profile_controls by payments':
    "the pay-at-pump's prepared read (payments/payment-accounts.ts) takes the card, the station, both accounts, the controls, the unit, the vehicle, the driver and the profile in one round trip on the hottest path",
  'card_profiles by ledger':
    "lockLedger (ledger/posting.ts) locks the member cards in id order and reads their profile's services and client's status in the same statement: one lock order for every posting",
  'card_profiles by payments':
    "the pay-at-pump's prepared read, the offline fill and the voucher checks read a card with its profile's rules in the statement that reads the card",
  'cards by gateway':
    "the 3rd Party API's reach is a card's client under an active contract: each gateway statement joins it (gateway/reach.ts cardInReach, cardsInReach), so an id outside the contracts answers as an unknown one from the same query",
  'cards by ledger':
    "the core locks the cards its postings touch (posting.ts), tells an unknown card from a missing account (accounts.ts) and bounds lists of operations by an operator's scope through the cards (operations-read.ts); it sits beneath cards and may not import it",
  'cards by payments':
    'payment policy reads and locks the cards it moves money on in its own statements (the pay-at-pump read, orders, offline fills, card closure, declines, settlement lines)',
  'cards by referential':
    'a service point is read with its E-service card (id and masked number) in one statement (referential/service-points.ts); referential sits beneath cards and may not import it',
  'clients by ledger':
    "lockLedger (ledger/posting.ts) locks the member cards in id order and reads their profile's services and client's status in the same statement: one lock order for every posting",
  'clients by payments':
    "voucher checks and a settlement's lines name the member card's client (and its network) in the statement that reads the cards (payments/orders.ts, payments/settlements.ts)",
  'drivers by payments':
    "the pay-at-pump's prepared read (payments/payment-accounts.ts) takes the card, the station, both accounts, the controls, the unit, the vehicle, the driver and the profile in one round trip on the hottest path",
  'events by gateway': "the partner's feed is one index-driven statement over the outbox (gateway/events.ts partnerEventsQuery; a test reads its plan)",
  'ledger_entries by cards':
    "the card read (a hot read: one statement for the card, its links and balances) sums a summed account's entries, as the ledger core's balance rule does (ledger/accounts.ts)",
  'ledger_accounts by cards':
    "a card's spends for its controls (cards/spends.ts) are its payments not cancelled and its open holds, in one prepared statement; cards sits beneath payments and may not import it",
  'ledger_accounts by gateway':
    "the partner's card history, day statement, floats and recharge sides read the card's or float's accounts in the gateway's own single statements (card-history.ts, statements.ts, recharges.ts, cards.ts)",
  'ledger_accounts by payments':
    "payment policy's checks and reports over what the core posted (statements, settlements, payouts, offline fills, card closure, vouchers): the ledger core keeps accounts, posting and invariants only, and no policy query",
  'ledger_entries by gateway': "the partner's card history and day statement page the entries in the gateway's own statements (card-history.ts, statements.ts)",
  'ledger_entries by payments':
    "payment policy's checks and reports over what the core posted (statements, settlements, payouts, offline fills, card closure, vouchers): the ledger core keeps accounts, posting and invariants only, and no policy query",
  'ledger_holds by cards':
    "a card's spends for its controls (cards/spends.ts) are its payments not cancelled and its open holds, in one prepared statement; cards sits beneath payments and may not import it",
  'ledger_holds by gateway': "the feed's statement marks a hold's event as the partner's own from the hold's placer (gateway/events.ts)",
  'ledger_holds by ledger':
    "the invariant 'every account holds exactly its open holds' (ledger/invariants.ts) checks the core's held sums against the holds: a check that reads, importing no policy",
  'ledger_operations by cards':
    "a card's spends for its controls (cards/spends.ts) are its payments not cancelled and its open holds, in one prepared statement; cards sits beneath payments and may not import it",
  'ledger_operations by fleet':
    "a vehicle's consumption sums its fuel payments (fleet/consumption.ts): a fleet query over the operations' vehicle and fuel columns, kept out of the ledger core",
  'ledger_operations by partners':
    "a partner's per-card daily recharge limit sums its recharges to the card today (partners/recharge-limits.ts): a policy query kept out of the ledger core",
  'ledger_operations by payments':
    "payment policy's checks and reports over what the core posted (statements, settlements, payouts, offline fills, card closure, vouchers): the ledger core keeps accounts, posting and invariants only, and no policy query",
  'partner_contracts by gateway':
    "gateway/reach.ts is the 3rd Party API's one reach clause: every gateway statement joins the partner's active contracts through it",
  'partner_recharge_days by gateway': "the partner's floats with today's use of its limits are one statement (gateway/recharges.ts)",
  'partner_recharge_limits by gateway':
    "a recharge's sides (card, accounts, limits) are one prepared read, and the partner's floats with today's use of its limits one statement (gateway/recharges.ts)",
  'partners by auth':
    "the bearer-token lookup joins the token's partner in one batched query per turn of the event loop (auth/identity.ts), so a disabled partner is refused on the next call without a second round trip",
  'partners by security':
    "the lockout list names the partner of a failing consumer-key by joining its hashed key, and a cleared lockout's event names it (security/lockouts.ts); security sits beneath partners and may not import it",
  'service_points by payments':
    "the pay-at-pump's prepared read, the offline fill, decline and settlement statements read the station in the statement that reads the card",
  'units by ledger': 'opening an account checks its unit exists (ledger/accounts.ts); the ledger sits beneath referential and may not import it',
  'units by payments':
    "the pay-at-pump's prepared read takes the unit's kind and scale with the card; a settlement and a card statement value a balance in litres at its energy's price",
  'vehicles by payments':
    "the pay-at-pump's prepared read (payments/payment-accounts.ts) takes the card, the station, both accounts, the controls, the unit, the vehicle, the driver and the profile in one round trip on the hottest path",
};

const owner = new Map(Object.entries(OWNERS).flatMap(([area, tables]) => tables.map((table) => [table, area] as const)));

function tablesOfMigrations(): Set<string> {
  const folder = join(ROOT, 'src', 'db', 'migrations');
  const tables = new Set<string>();
  for (const file of readdirSync(folder)
    .filter((name) => name.endsWith('.sql'))
    .sort()) {
    const sql = readFileSync(join(folder, file), 'utf8');
    for (const [, verb, table] of sql.matchAll(/\b(CREATE TABLE|DROP TABLE)\s+(?:IF (?:NOT )?EXISTS\s+)?([a-z_]+)/gi)) {
      if (verb.toUpperCase() === 'CREATE TABLE') tables.add(table);
      else tables.delete(table);
    }
  }
  return tables;
}

/** The area of a file of src/. */
function areaOf(path: string): string {
  const parts = path.split('/');
  if (parts[1] === 'domain') return parts.length > 3 ? parts[2] : 'kernel';
  return parts.length > 2 ? parts[1] : parts[1].replace(/\.ts$/, '');
}

function sourceFiles(): string[] {
  return readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

/** "table by area" for each write and each read of a table by an area that does not own it. */
function foreignUses(): { writes: Set<string>; reads: Set<string> } {
  const writes = new Set<string>();
  const reads = new Set<string>();
  for (const path of sourceFiles()) {
    const area = areaOf(path);
    const text = readFileSync(join(ROOT, path), 'utf8');
    for (const [, table] of text.matchAll(/\b(?:INSERT INTO|(?<!FOR (?:NO KEY )?|DO )UPDATE|DELETE FROM)\s+([a-z_]+)/g)) {
      if (owner.has(table) && owner.get(table) !== area) writes.add(`${table} by ${area}`);
    }
    for (const [, table] of text.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)/g)) {
      if (owner.has(table) && owner.get(table) !== area) reads.add(`${table} by ${area}`);
    }
  }
  return { writes, reads };
}

describe('table owners', () => {
  it('when the migrations create a table, then it has exactly one owner', () => {
    const tables = [...tablesOfMigrations()].sort();
    expect(tables.filter((table) => !owner.has(table))).toEqual([]);
    expect([...owner.keys()].filter((table) => !tables.includes(table))).toEqual([]);
    expect(owner.size).toBe(Object.values(OWNERS).flat().length);
  });

  it('when an area writes a table it does not own, then the write is listed with its reason (and a listed one still exists)', () => {
    expect([...foreignUses().writes].sort()).toEqual(Object.keys(FOREIGN_WRITES).sort());
  });

  it("when an area reads another area's table, then the read is listed with its reason (the list only shrinks)", () => {
    expect([...foreignUses().reads].sort()).toEqual(Object.keys(FOREIGN_READS).sort());
  });
});
