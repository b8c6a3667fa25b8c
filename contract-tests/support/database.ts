/**
 * A fresh, migrated database per test file: on the PostgreSQL of DATABASE_URL when it is set,
 * a new database copied from a migrated template database (made once per set of migrations:
 * a copy takes a tenth of a second, migrating a fresh one a second); otherwise an embedded
 * PGlite loaded from a migrated template (made once and cached in the temp folder, since a
 * fresh PGlite costs seconds and most of a gigabyte).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, wrapPglite, type Database, type DatabaseOptions } from '../../src/db/database';
import { migrate, migrationFiles } from '../../src/db/migrate';

export interface TestDatabase {
  db: Database;
  /** The connection string of this test's schema (PostgreSQL only). */
  url: string | undefined;
  /** Closes the database and drops the schema. */
  dispose(): Promise<void>;
}

export const usingPostgres = () => Boolean(process.env.DATABASE_URL);

/** The connection string of another database on the same server. */
function databaseUrl(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A key of the migrations: a change to any of them makes a new template. */
const migrationsKey = () =>
  createHash('sha256')
    .update(
      migrationFiles()
        .map((file) => file.name + file.sql)
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 16);

async function withAdmin<T>(baseUrl: string, work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

let postgresTemplateName: Promise<string> | undefined;

/**
 * The migrated template database of these migrations, made by the first test file that
 * needs it: migrated under a name of its own, then renamed (so no one copies a half-migrated
 * one; a second builder racing the first drops its own).
 */
function postgresTemplate(baseUrl: string): Promise<string> {
  postgresTemplateName ??= withAdmin(baseUrl, async (admin) => {
    const name = `cynod_template_${migrationsKey()}`;
    if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount) return name;
    const building = `${name}_${process.pid}_${randomBytes(3).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${building}`);
    const db = await openDatabase({ databaseUrl: databaseUrl(baseUrl, building), poolSize: 1 });
    await migrate(db);
    await db.close();
    try {
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    } catch (error) {
      if ((error as { code?: string }).code !== '42P04') throw error; // another builder won
      await admin.query(`DROP DATABASE ${building}`);
    }
    return name;
  });
  return postgresTemplateName;
}

/** The migrated PGlite template, as a data-directory dump (cached in the temp folder per PGlite version and migrations). */
export async function pgliteTemplate(): Promise<Blob> {
  const manifest = join(__dirname, '../../node_modules/@electric-sql/pglite/package.json');
  const pgliteVersion = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  const key = createHash('sha256').update(pgliteVersion).update(migrationsKey()).digest('hex').slice(0, 16);
  // Uncompressed: loading a 40 MB tar takes half the time of gunzipping a 5 MB one.
  const file = join(tmpdir(), `cynod-pglite-template-${key}.tar`);
  if (!existsSync(file)) {
    const pglite = await PGlite.create();
    await migrate(wrapPglite(pglite));
    const dump = Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
    await pglite.close();
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, dump);
    renameSync(partial, file);
  }
  return new Blob([readFileSync(file)]);
}

export async function createTestDatabase(
  options: {
    viaUrl?: (url: string) => string;
    /** PostgreSQL pool size (default 5). */ poolSize?: number;
    /** PostgreSQL session limits (default: the server's). */ timeouts?: DatabaseOptions['timeouts'];
  } = {},
): Promise<TestDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const db = await openDatabase({ loadDataDir: await pgliteTemplate() });
    await migrate(db);
    return { db, url: undefined, dispose: () => db.close() };
  }
  const template = await postgresTemplate(baseUrl);
  const name = `cynod_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(baseUrl, (admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = databaseUrl(options.viaUrl ? options.viaUrl(baseUrl) : baseUrl, name);
  const db = await openDatabase({ databaseUrl: url, poolSize: options.poolSize ?? 5, timeouts: options.timeouts });
  await migrate(db);
  return {
    db,
    url,
    async dispose() {
      await db.close().catch(() => undefined);
      await withAdmin(baseUrl, (admin) => admin.query(`DROP DATABASE ${name} WITH (FORCE)`));
    },
  };
}
