/**
 * Jest's sequencer, with shards balanced by time: `--shard=i/n` (as .ci/run runs each database
 * pass) gives each shard test files whose durations on the pass's database (PostgreSQL when
 * DATABASE_URL is set, else PGlite), as last measured (contract-tests/support/test-durations.json,
 * refreshed with `npm run -s test:durations`), add up to about the same; Jest's own split is by a hash of the path, which left one shard
 * minutes longer than the other. Files not measured yet count as the median. Every process
 * of a pass computes the same split from the same files. Ordering within a shard is Jest's.
 */
const { relative } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const durations = require('./test-durations.json')[process.env.DATABASE_URL ? 'postgres' : 'pglite'];

const measured = Object.values(durations).sort((a, b) => a - b);
const median = measured.length ? measured[Math.floor(measured.length / 2)] : 1;

class BalancedSequencer extends Sequencer {
  shard(tests, { shardIndex, shardCount }) {
    const weighted = tests.map((test) => {
      const path = relative(test.context.config.rootDir, test.path).split('\\').join('/');
      return { test, path, seconds: durations[path] ?? median };
    });
    // Longest first, each to the shard with the least so far (ties by path: the same split everywhere).
    weighted.sort((a, b) => b.seconds - a.seconds || (a.path < b.path ? -1 : 1));
    const loads = new Array(shardCount).fill(0);
    const shards = Array.from({ length: shardCount }, () => []);
    for (const item of weighted) {
      const lightest = loads.indexOf(Math.min(...loads));
      loads[lightest] += item.seconds;
      shards[lightest].push(item.test);
    }
    return shards[shardIndex - 1];
  }
}

module.exports = BalancedSequencer;
