/**
 * The migrations' manifest (src/db/migrations/SHA256SUMS): CI fails when a listed migration
 * changed, is gone or is not listed; `npm run migrations:manifest` appends new files' lines and
 * refuses, writing nothing, to rewrite or drop a listed one or to list one out of order.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, MANIFEST_NAME } from './migration-manifest';

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'cynod-manifest-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

function run(...argv: string[]): { status: number; lines: string[] } {
  const lines: string[] = [];
  const status = main(argv, scratch, (line) => lines.push(line));
  return { status, lines };
}
const write = (name: string, text: string) => writeFileSync(join(scratch, name), text);
const manifest = () => readFileSync(join(scratch, MANIFEST_NAME), 'utf8');

it('when CI runs, then the committed manifest lists every migration exactly as it is (a published migration never changes)', () => {
  const lines: string[] = [];
  const status = main(['--check'], undefined, (line) => lines.push(line));
  expect(lines.join('\n')).toMatch(/lists every migration/);
  expect(status).toBe(0);
});

it('when new migrations are added, then their lines are appended in name order as sha256sum prints them, and a second run changes nothing', () => {
  write('001_a.sql', 'CREATE TABLE a (id int);\n');
  expect(run().status).toBe(0);
  write('002_b.sql', 'CREATE TABLE b (id int);\n');
  write('003_c.sql', 'CREATE TABLE c (id int);\r\n');

  expect(run('--check')).toEqual({ status: 1, lines: [expect.stringMatching(/not listed in SHA256SUMS: 002_b\.sql, 003_c\.sql/)] });
  expect(run().status).toBe(0);

  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  expect(manifest()).toBe(
    `${sha256('CREATE TABLE a (id int);\n')}  001_a.sql\n${sha256('CREATE TABLE b (id int);\n')}  002_b.sql\n` +
      // CRLF line endings are the same migration: its checksum is the LF text's.
      `${sha256('CREATE TABLE c (id int);\n')}  003_c.sql\n`,
  );
  write('003_c.sql', 'CREATE TABLE c (id int);\n');
  expect(run('--check').status).toBe(0);
  const before = manifest();
  expect(run()).toEqual({ status: 0, lines: ['migrations:manifest: SHA256SUMS lists every migration (3)'] });
  expect(manifest()).toBe(before);
});

it('when a listed migration is edited, then the manifest refuses and keeps its line', () => {
  write('001_a.sql', 'CREATE TABLE a (id int);\n');
  run();
  const before = manifest();
  write('001_a.sql', 'CREATE TABLE a (id bigint);\n');
  write('002_b.sql', 'CREATE TABLE b (id int);\n');

  const refused = run();

  expect(refused).toEqual({
    status: 1,
    lines: [expect.stringMatching(/refused: 001_a\.sql changed since it was listed: a published migration is never edited/)],
  });
  expect(manifest()).toBe(before);
  expect(run('--check').status).toBe(1);
});

it('when a listed migration is renamed or removed, then the manifest refuses', () => {
  write('001_a.sql', 'CREATE TABLE a (id int);\n');
  run();
  rmSync(join(scratch, '001_a.sql'));
  write('001_a_renamed.sql', 'CREATE TABLE a (id int);\n');

  expect(run()).toEqual({ status: 1, lines: [expect.stringMatching(/refused: 001_a\.sql is listed but gone \(renamed or removed\)/)] });
});

it('when a new migration sorts before a listed one, then the manifest refuses (it would run out of order)', () => {
  write('001_a.sql', 'CREATE TABLE a (id int);\n');
  write('003_c.sql', 'CREATE TABLE c (id int);\n');
  run();
  const before = manifest();
  write('002_b.sql', 'CREATE TABLE b (id int);\n');

  expect(run()).toEqual({ status: 1, lines: [expect.stringMatching(/refused: 002_b\.sql is new but sorts before 003_c\.sql, already listed/)] });
  expect(manifest()).toBe(before);
});

it('when a line of the manifest was edited by hand out of shape or out of order, then it refuses', () => {
  write('001_a.sql', 'CREATE TABLE a (id int);\n');
  write('002_b.sql', 'CREATE TABLE b (id int);\n');
  run();
  const [first, second] = manifest().trim().split('\n');
  writeFileSync(join(scratch, MANIFEST_NAME), `${second}\n${first}\n`);
  expect(run('--check')).toEqual({ status: 1, lines: [expect.stringMatching(/refused: 001_a\.sql is listed after 002_b\.sql/)] });
  writeFileSync(join(scratch, MANIFEST_NAME), `${first.slice(10)}\n`);
  expect(run('--check')).toEqual({ status: 1, lines: [expect.stringMatching(/refused: SHA256SUMS line 1 is not/)] });
});
