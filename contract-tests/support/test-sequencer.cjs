/**
 * Jest's sequencer, longest test files first by their durations on the run's database
 * (PostgreSQL when DATABASE_URL is set, else PGlite), as last measured
 * (contract-tests/support/test-durations.json, refreshed with `npm run -s test:durations`).
 * Jest's workers each take the next file when they finish one, so starting with the longest
 * leaves short files for the end and no worker running alone for long; Jest's own order goes
 * by its cache of earlier runs, which a fresh clone has not got, else by file size. Files not
 * measured yet count as the median; ties go by path.
 */
const { relative } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const durations = require('./test-durations.json')[process.env.DATABASE_URL ? 'postgres' : 'pglite'];

const measured = Object.values(durations).sort((a, b) => a - b);
const median = measured.length ? measured[Math.floor(measured.length / 2)] : 1;

class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    const seconds = (test) => durations[pathOf(test)] ?? median;
    return [...tests].sort((a, b) => seconds(b) - seconds(a) || (pathOf(a) < pathOf(b) ? -1 : 1));
  }
}

function pathOf(test) {
  return relative(test.context.config.rootDir, test.path).split('\\').join('/');
}

module.exports = LongestFirstSequencer;
