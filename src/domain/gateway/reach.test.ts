/**
 * The partner's reach is stated in one place: no file of src/ names the contracts' table but
 * reach.ts (the gateway's reach), partners/reach.ts (its clauses that payments use too),
 * partners/contracts.ts (which writes the contracts) and the
 * files listed below. A plain scan of the files, no database.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const TABLE = ['partner', 'contracts'].join('_'); // spelt apart, so that this file does not name it

/** Paths (from the repository's root) that may name the table, and folders (ending in /) all of whose files may. */
const ALLOWED = [
  'src/domain/gateway/reach.ts',
  'src/domain/partners/reach.ts', // the clauses payments use too
  'src/domain/partners/contracts.ts',
  'src/db/migrations/', // the schema that creates the table, and the migrations' manifest
  'src/db/table-owners.test.ts', // the map of each table's owner
];

const allowed = (path: string) => ALLOWED.some((entry) => (entry.endsWith('/') ? path.startsWith(entry) : path === entry));

function filesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

describe("the partner's reach", () => {
  it('when a file of src/ names the contracts table, then it is reach.ts, contracts.ts or one listed', () => {
    const naming = filesUnder('src').filter((path) => !allowed(path) && readFileSync(join(ROOT, path), 'utf8').includes(TABLE));
    expect(naming).toEqual([]);
  });

  it('when the list names a file, then the file still names the table (the list only shrinks)', () => {
    const files = ALLOWED.filter((entry) => !entry.endsWith('/'));
    expect(files.filter((path) => !readFileSync(join(ROOT, path), 'utf8').includes(TABLE))).toEqual([]);
  });
});
