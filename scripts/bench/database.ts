/**
 * The database of a bench or soak run: a dedicated fresh schema on the PostgreSQL of
 * DATABASE_URL (dropped at the end), else the embedded PGlite in a fresh temporary directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { newCardKeys } from '../../src/domain/cards/card-numbers';
import type { TargetSpec } from './protocol';

export interface BenchDatabase {
  kind: 'postgres' | 'pglite';
  version: string;
  /** What the server processes open. */
  spec: Pick<TargetSpec, 'databaseUrl' | 'dataDir' | 'cardKeys'>;
  dispose(): Promise<void>;
  /**
   * Refreshes the planner's statistics after a bulk load, as autovacuum would on a database
   * left to run (the machines' PostgreSQL has it off: without statistics, a list filtered by
   * time and type over a freshly loaded day is planned as if the table were empty).
   */
  analyze(): Promise<void>;
}

/** A connection string whose sessions use `schema` (the `options` parameter sets search_path). */
function schemaUrl(baseUrl: string, schema: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** Runs statements one after the other on a short-lived connection; returns the rows of the last. */
async function adminQuery<Row extends object>(baseUrl: string, ...statements: string[]): Promise<Row[]> {
  const client = new Client({ connectionString: baseUrl });
  await client.connect();
  try {
    let rows: Row[] = [];
    for (const sql of statements) rows = (await client.query<Row>(sql)).rows;
    return rows;
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (baseUrl) {
    const schema = `bench_${randomBytes(6).toString('hex')}`;
    const [{ server_version }] = await adminQuery<{ server_version: string }>(baseUrl, `CREATE SCHEMA ${schema}`, 'SHOW server_version');
    return {
      kind: 'postgres',
      version: `PostgreSQL ${server_version}`,
      spec: { databaseUrl: schemaUrl(baseUrl, schema), cardKeys: throwawayCardKeys() },
      dispose: async () => void (await adminQuery(baseUrl, `DROP SCHEMA ${schema} CASCADE`)),
      analyze: async () => void (await adminQuery(baseUrl, `SET search_path = ${schema}`, 'ANALYZE')),
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'cynod-bench-'));
  const manifest = join(__dirname, '..', '..', 'node_modules', '@electric-sql', 'pglite', 'package.json');
  return {
    kind: 'pglite',
    version: `PGlite ${(JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version}`,
    spec: { dataDir, cardKeys: throwawayCardKeys() },
    dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
    // The data directory is the server processes' own (one at a time): PGlite plans without statistics.
    analyze: async () => undefined,
  };
}

/** Card-number keys for a throwaway database, as in the contract tests. */
function throwawayCardKeys(): TargetSpec['cardKeys'] {
  const { hashKey, encryptionKey } = newCardKeys();
  return { hashKey: hashKey.toString('base64'), encryptionKey: encryptionKey.toString('base64') };
}
