/**
 * A fresh, migrated database per test file: a new schema on the PostgreSQL of DATABASE_URL
 * when it is set, otherwise an embedded PGlite loaded from a migrated template (made once
 * and cached in the temp folder, since a fresh PGlite costs seconds and most of a gigabyte).
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

/** The connection string of a schema: its search_path is set through the `options` parameter. */
function schemaUrl(baseUrl: string, schema: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function pgliteTemplate(): Promise<Blob> {
  const manifest = join(__dirname, '../../node_modules/@electric-sql/pglite/package.json');
  const pgliteVersion = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  const key = createHash('sha256')
    .update(pgliteVersion)
    .update(migrationFiles().map((file) => file.name + file.sql).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const file = join(tmpdir(), `cynod-pglite-template-${key}.tar.gz`);
  if (!existsSync(file)) {
    const pglite = await PGlite.create();
    await migrate(wrapPglite(pglite));
    const dump = Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
    await pglite.close();
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, dump);
    renameSync(partial, file);
  }
  return new Blob([readFileSync(file)]);
}

export async function createTestDatabase(options: { viaUrl?: (url: string) => string; /** PostgreSQL pool size (default 5). */ poolSize?: number; /** PostgreSQL session limits (default: the server's). */ timeouts?: DatabaseOptions['timeouts'] } = {}): Promise<TestDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const db = await openDatabase({ loadDataDir: await pgliteTemplate() });
    await migrate(db);
    return { db, url: undefined, dispose: () => db.close() };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = schemaUrl(options.viaUrl ? options.viaUrl(baseUrl) : baseUrl, schema);
  const db = await openDatabase({ databaseUrl: url, poolSize: options.poolSize ?? 5, timeouts: options.timeouts });
  await migrate(db);
  return {
    db,
    url,
    async dispose() {
      await db.close().catch(() => undefined);
      const cleaner = new Client({ connectionString: baseUrl });
      await cleaner.connect();
      await cleaner.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleaner.end();
    },
  };
}
