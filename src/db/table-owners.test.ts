/**
 * Every table has one owner: the area of src/ that writes it (INSERT, UPDATE, DELETE). Other
 * areas change it only through the owner's functions; the few writes that cannot go through
 * them are listed with their reason. Reads by other areas are listed too, as they stand: the
 * list may only shrink (a read through the owner's function or a named view replaces one).
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
  kernel: ['idempotency_keys', 'deployment'],
};

/** Writes by an area that does not own the table, each for a reason ("table by area"). */
const FOREIGN_WRITES: Record<string, string> = {
  'cards by events': "the event outbox numbers a member card's events on its row (cards.event_sequence), under the card lock its writer already holds",
  'access_tokens by partners': 'disabling a partner revokes its tokens in the same transaction',
};

/** Reads of another area's table, as they stand ("table by area"); the list only shrinks. */
const FOREIGN_READS = [
  'card_controls by payments',
  'card_declines by gateway',
  'card_profile_controls by payments',
  'card_profiles by ledger',
  'card_profiles by payments',
  'cards by fleet',
  'cards by gateway',
  'cards by ledger',
  'cards by payments',
  'cards by referential',
  'clients by demo',
  'clients by ledger',
  'clients by partners',
  'clients by payments',
  'drivers by payments',
  'events by gateway',
  'ledger_accounts by cards',
  'ledger_accounts by gateway',
  'ledger_accounts by payments',
  'ledger_entries by gateway',
  'ledger_entries by payments',
  'ledger_holds by cards',
  'ledger_holds by gateway',
  'ledger_holds by ledger',
  'ledger_holds by metrics',
  'ledger_operations by cards',
  'ledger_operations by fleet',
  'ledger_operations by partners',
  'ledger_operations by payments',
  'networks by demo',
  'partner_contracts by gateway',
  'partner_recharge_days by gateway',
  'partner_recharge_limits by gateway',
  'partner_recharge_limits by payments',
  'partner_credentials by auth',
  'partners by auth',
  'partners by demo',
  'partners by gateway',
  'partners by payments',
  'partners by security',
  'service_points by demo',
  'service_points by partners',
  'service_points by payments',
  'units by gateway',
  'units by ledger',
  'units by partners',
  'units by payments',
  'vehicles by payments',
];

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

  it("when an area reads another area's table, then the read is listed (the list only shrinks)", () => {
    expect([...foreignUses().reads].sort()).toEqual([...FOREIGN_READS].sort());
  });
});
