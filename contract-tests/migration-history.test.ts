/**
 * Migrations are immutable: each applied migration's sha256 is
 * recorded, and a database whose applied migrations no longer match their files (one edited or
 * renamed after it ran) is refused with the file named, before anything is applied. A
 * database migrated before checksums were kept keeps starting: its first start records them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { wrapPglite, type Database } from '../src/db/database';
import { migrate, migrationChecksum, migrationFiles, MigrationHistoryError, type MigrationFile } from '../src/db/migrate';
import { createTestDatabase, pgliteTemplate, usingPostgres, type TestDatabase } from './support/database';

jest.setTimeout(120_000);

const root = join(__dirname, '..');
const LEDGER = '010_ledger.sql';

let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(() => database.dispose());

/** This version's migrations with one of them edited. */
function withEdited(name: string, files = migrationFiles()): MigrationFile[] {
  return files.map((file) => {
    if (file.name !== name) return file;
    const sql = `${file.sql}\nALTER TABLE ledger_accounts ADD COLUMN edited_later boolean;\n`;
    return { name, sql, checksum: migrationChecksum(sql) };
  });
}

/** A new migration after the others. */
function newMigration(name = '999_later.sql'): MigrationFile {
  const sql = 'CREATE TABLE later_migration_marker (id int);';
  return { name, sql, checksum: migrationChecksum(sql) };
}

const recorded = async (db: Database) =>
  Object.fromEntries(
    (await db.query<{ name: string; checksum: string | null }>('SELECT name, checksum FROM schema_migrations')).map((row) => [row.name, row.checksum]),
  );
const tableExists = async (db: Database, table: string) =>
  (await db.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table]))[0].found !== null;

it('when a migration is applied, then its sha256 is recorded with its name', async () => {
  const files = [...migrationFiles(), newMigration()];

  expect(await migrate(database.db, files)).toEqual(['999_later.sql']);

  expect(await recorded(database.db)).toEqual(Object.fromEntries(files.map((file) => [file.name, file.checksum])));
});

it('when a migration was edited after it was applied, then migrate refuses naming it and applies nothing, not even the new ones', async () => {
  const refused = migrate(database.db, [...withEdited(LEDGER), newMigration()]);

  await expect(refused).rejects.toThrow(MigrationHistoryError);
  await expect(refused).rejects.toThrow(/010_ledger\.sql was changed after it was applied/);
  expect(await tableExists(database.db, 'later_migration_marker')).toBe(false);
  expect(await recorded(database.db)).not.toHaveProperty(['999_later.sql']);
  expect((await recorded(database.db))[LEDGER]).toBe(migrationFiles().find((file) => file.name === LEDGER)!.checksum);
});

it("when a database was migrated before checksums were kept (names only), then it starts, records the files' checksums, and refuses a later edit", async () => {
  await database.db.exec('ALTER TABLE schema_migrations DROP COLUMN checksum');

  expect(await migrate(database.db)).toEqual([]);

  expect(await recorded(database.db)).toEqual(Object.fromEntries(migrationFiles().map((file) => [file.name, file.checksum])));
  await expect(migrate(database.db, withEdited(LEDGER))).rejects.toThrow(/010_ledger\.sql was changed after it was applied/);
  expect(await migrate(database.db)).toEqual([]);
});

it('when an applied migration was renamed or removed, then migrate refuses naming the name it ran under', async () => {
  // As a database that ran 022 under its first name, and then its renamed copy.
  await database.db.query("INSERT INTO schema_migrations (name, checksum) VALUES ('022_partner_feed.sql', NULL)");

  await expect(migrate(database.db)).rejects.toThrow(/022_partner_feed\.sql was applied but is no longer among the migrations \(renamed or removed\)/);
});

it('when a newer version applied a migration this one does not have, then this one still starts', async () => {
  const newer = newMigration();
  await migrate(database.db, [...migrationFiles(), newer]);

  expect(await migrate(database.db)).toEqual([]);
});

describe('the server', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'cynod-migrations-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('when a migration was edited after it was applied, then npm start stops with one line naming it and a non-zero exit', async () => {
    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    const env: Record<string, string | undefined> = { ...inherited, PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: join(scratch, 'data') };
    // The file as this version has it; the database recorded another text under its name.
    const edited = "UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE name = '010_ledger.sql'";
    if (usingPostgres()) {
      await database.db.exec(edited);
      env.DATABASE_URL = database.url;
    } else {
      const pglite = await PGlite.create({ dataDir: env.DATA_DIR, loadDataDir: await pgliteTemplate() });
      const db = wrapPglite(pglite);
      await migrate(db);
      await db.exec(edited);
      await db.close();
    }

    const started = spawnSync(join(root, 'node_modules/.bin/tsx'), ['src/main.ts'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });

    expect(started.stdout).not.toMatch(/listening|127\.0\.0\.1/);
    expect(started.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^failed to start: the database does not match this version's migrations \(src\/db\/migrations\): 010_ledger\.sql was changed after it was applied .*never changed once applied/,
      ),
    ]);
    expect(started.status).toBe(1);
  });
});
