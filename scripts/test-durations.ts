/**
 * Writes contract-tests/support/test-durations.json, the seconds each test file took on each
 * database, from the Jest JSON reports given (`npm test -- --json --outputFile=report.json`;
 * .ci/run writes one per database pass, postgres.json and pglite.json, and keeps them with
 * CI_KEEP_REPORTS=<dir>): a report whose file name starts with `pglite` counts for the
 * embedded database, any other for PostgreSQL. The sequencer
 * (contract-tests/support/test-sequencer.cjs) starts the longest files first by these figures. A file in
 * several reports of one database keeps its longest time.
 *
 *   npm run -s test:durations -- <report.json>...
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

interface Report {
  testResults: { name: string; startTime: number; endTime: number }[];
}

const root = join(__dirname, '..');
const reports = process.argv.slice(2);
if (reports.length === 0) throw new Error('usage: npm run -s test:durations -- <jest-report.json>...');
const byDatabase = { postgres: new Map<string, number>(), pglite: new Map<string, number>() };
for (const file of reports) {
  const seconds = byDatabase[basename(file).startsWith('pglite') ? 'pglite' : 'postgres'];
  for (const result of (JSON.parse(readFileSync(file, 'utf8')) as Report).testResults) {
    // A report made in another clone names its files there: keep the path from the repository's top folders.
    const path = relative(root, result.name).replace(/^(\.\.\/)+[^]*?(?=(src|scripts|contract-tests)\/)/, '');
    const took = Math.round((result.endTime - result.startTime) / 100) / 10;
    seconds.set(path, Math.max(seconds.get(path) ?? 0, took));
  }
}
const sorted = (seconds: Map<string, number>) => Object.fromEntries([...seconds].sort(([a], [b]) => (a < b ? -1 : 1)));
const durations = { postgres: sorted(byDatabase.postgres), pglite: sorted(byDatabase.pglite) };
writeFileSync(join(root, 'contract-tests/support/test-durations.json'), `${JSON.stringify(durations, null, 2)}\n`);
console.log(`contract-tests/support/test-durations.json: ${byDatabase.postgres.size} files on PostgreSQL, ${byDatabase.pglite.size} on PGlite`);
