/**
 * `npm run migrations:manifest` keeps src/db/migrations/SHA256SUMS, the committed record of
 * every migration's sha256 (one `<sha256>  <file>` line a migration, in name order, as
 * `sha256sum` prints it: `cd src/db/migrations && sha256sum -c SHA256SUMS` checks it too).
 * Once a migration has landed it is published: databases have applied it, and the server
 * refuses to start on one whose file changed since (src/db/migrate.ts). So the manifest only
 * grows: the script appends the lines of new files and refuses, changing nothing, when a listed
 * file changed or is gone, or when a new file sorts before a listed one (it would run out of
 * order on databases that have the later ones). `--check` changes nothing and fails when the
 * manifest is not exactly the files (scripts/migration-manifest.test.ts runs it in CI).
 *
 * Exit 0: up to date (or appended); 1: refused, or `--check` found a difference; 2: bad arguments.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationFiles, type MigrationFile } from '../src/db/migrate';

export const MIGRATIONS = join(__dirname, '../src/db/migrations');
export const MANIFEST_NAME = 'SHA256SUMS';

export interface ManifestLine {
  checksum: string;
  name: string;
}

/** The lines of a manifest's text; throws on a line that is not `<sha256>  <name>`. */
export function parseManifest(text: string): ManifestLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const match = /^([0-9a-f]{64}) {2}(\S+\.sql)$/.exec(line);
      if (!match) throw new Error(`${MANIFEST_NAME} line ${index + 1} is not "<sha256>  <name>.sql": ${line}`);
      return { checksum: match[1], name: match[2] };
    });
}

export const formatManifest = (lines: ManifestLine[]) => lines.map((line) => `${line.checksum}  ${line.name}\n`).join('');

/** What to do with a manifest for these files: the lines to append, or why not (nothing is written then). */
export function planManifest(listed: ManifestLine[], files: MigrationFile[]): { append: ManifestLine[]; refusals: string[] } {
  const byName = new Map(files.map((file) => [file.name, file]));
  const known = new Set(listed.map((line) => line.name));
  const refusals: string[] = [];
  listed.forEach((line, index) => {
    const file = byName.get(line.name);
    if (!file) refusals.push(`${line.name} is listed but gone (renamed or removed): a published migration stays as it is`);
    else if (file.checksum !== line.checksum)
      refusals.push(`${line.name} changed since it was listed: a published migration is never edited, put the change in a new migration`);
    if (index > 0 && listed[index - 1].name >= line.name)
      refusals.push(`${line.name} is listed after ${listed[index - 1].name}: the manifest is in name order`);
  });
  const last = listed.at(-1)?.name ?? '';
  const append = files.filter((file) => !known.has(file.name)).map((file) => ({ checksum: file.checksum, name: file.name }));
  for (const line of append) {
    if (line.name < last) refusals.push(`${line.name} is new but sorts before ${last}, already listed: number it after the last migration`);
  }
  return { append, refusals };
}

export function main(argv: string[], dir = MIGRATIONS, log: (line: string) => void = console.log): number {
  const check = argv.includes('--check');
  if (argv.some((argument) => argument !== '--check')) {
    log('usage: npm run migrations:manifest [-- --check]');
    return 2;
  }
  const path = join(dir, MANIFEST_NAME);
  let listed: ManifestLine[];
  try {
    listed = existsSync(path) ? parseManifest(readFileSync(path, 'utf8')) : [];
  } catch (error) {
    log(`migrations:manifest: refused: ${(error as Error).message}`);
    return 1;
  }
  const { append, refusals } = planManifest(listed, migrationFiles(dir));
  for (const refusal of refusals) log(`migrations:manifest: refused: ${refusal}`);
  if (refusals.length > 0) return 1;
  if (append.length === 0) {
    log(`migrations:manifest: ${MANIFEST_NAME} lists every migration (${listed.length})`);
    return 0;
  }
  if (check) {
    log(
      `migrations:manifest: not listed in ${MANIFEST_NAME}: ${append.map((line) => line.name).join(', ')}: run npm run migrations:manifest and commit it with them`,
    );
    return 1;
  }
  writeFileSync(path, formatManifest([...listed, ...append]));
  for (const line of append) log(`migrations:manifest: listed ${line.name}`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
