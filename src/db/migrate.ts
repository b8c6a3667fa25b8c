/**
 * Applies the plain SQL migrations of src/db/migrations, in name order, once each, and records
 * each one's checksum: a database whose applied migrations no longer match their files (one
 * edited or renamed after it ran) is refused before anything is applied, since it would
 * otherwise silently keep the old definition.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './database';

const MIGRATIONS_DIR = join(__dirname, 'migrations');
/** Serialises concurrent starters on one PostgreSQL database. */
const MIGRATION_LOCK_KEY = 7_461_020;

/** One migration file. */
export interface MigrationFile {
  name: string;
  sql: string;
  /** `migrationChecksum(sql)`. */
  checksum: string;
}

/**
 * The sha256 (hex) of a migration's text, line endings taken as LF: a checkout that turned them
 * into CRLF holds the same migration. On an LF file it is what `sha256sum` prints.
 */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** The migration files of `dir` (default: this version's), in name order. */
export function migrationFiles(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name), 'utf8');
      return { name, sql, checksum: migrationChecksum(sql) };
    });
}

/** The database's applied migrations do not match this version's files: nothing was applied. */
export class MigrationHistoryError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `the database does not match this version's migrations (src/db/migrations): ${problems.join('; ')}. ` +
        'A migration is never changed once applied: restore the file as it was and put the change in a new migration.',
    );
    this.name = 'MigrationHistoryError';
  }
}

/**
 * What makes the recorded migrations disagree with `files`: an applied migration whose file
 * changed since, or one with no file any more that sorts among the files (renamed or removed).
 * One that sorts after every file was applied by a newer version: not a conflict.
 */
function historyProblems(recorded: { name: string; checksum: string }[], files: MigrationFile[]): string[] {
  const byName = new Map(files.map((file) => [file.name, file]));
  const last = files.at(-1)?.name ?? '';
  const problems: string[] = [];
  for (const row of recorded) {
    const file = byName.get(row.name);
    if (file && file.checksum !== row.checksum) {
      problems.push(`${row.name} was changed after it was applied (sha256 applied ${row.checksum.slice(0, 12)}…, file now ${file.checksum.slice(0, 12)}…)`);
    } else if (!file && row.name < last) {
      problems.push(`${row.name} was applied but is no longer among the migrations (renamed or removed)`);
    }
  }
  return problems;
}

/**
 * Returns the names of the migrations it applied. Refuses (MigrationHistoryError) a database
 * whose applied migrations differ from `files`. A database migrated before checksums were kept
 * (names only) gets the checksums of the files as they are at its first start with this code.
 */
export async function migrate(db: Database, files: MigrationFile[] = migrationFiles()): Promise<string[]> {
  return db.transaction(async (tx) => {
    // The configured session limits are for requests: a migration may run long, and a second
    // starter waits for the first one's advisory lock as long as it takes.
    await tx.exec('SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0');
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    // checksum: the sha256 of the file that was applied; null only on rows recorded before
    // checksums were kept, until this code's first start fills them in.
    await tx.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), checksum text)');
    const hasChecksums = await tx.query(
      "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'schema_migrations' AND column_name = 'checksum'",
    );
    if (hasChecksums.length === 0) await tx.exec('ALTER TABLE schema_migrations ADD COLUMN checksum text');
    const byName = new Map(files.map((file) => [file.name, file]));
    const recorded = await tx.query<{ name: string; checksum: string | null }>('SELECT name, checksum FROM schema_migrations ORDER BY name');
    const unrecorded = recorded.filter((row) => row.checksum === null && byName.has(row.name)).map((row) => row.name);
    if (unrecorded.length > 0) {
      await tx.query(
        'UPDATE schema_migrations SET checksum = known.checksum FROM unnest($1::text[], $2::text[]) AS known(name, checksum) WHERE schema_migrations.name = known.name',
        [unrecorded, unrecorded.map((name) => byName.get(name)!.checksum)],
      );
    }
    const problems = historyProblems(
      recorded.map((row) => ({ name: row.name, checksum: row.checksum ?? byName.get(row.name)?.checksum ?? '' })),
      files,
    );
    if (problems.length > 0) throw new MigrationHistoryError(problems);
    const done = new Set(recorded.map((row) => row.name));
    const applied: string[] = [];
    for (const migration of files) {
      if (done.has(migration.name)) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [migration.name, migration.checksum]);
      applied.push(migration.name);
    }
    return applied;
  });
}
