/**
 * Logs that leak nothing: a whole contract-test pass runs with the servers logging everything
 * (level trace) to a file, and the file must not hold any consumer secret, Basic credential,
 * access token or card number the pass used or produced.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isValidCardNumber } from '../src/domain/cards/card-numbers';

const runLeakCheck = process.env.LOG_CAPTURE_DIR ? describe.skip : describe; // not inside its own child run

runLeakCheck('when the contract tests run with every log line captured', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cynod-log-leak-'));
  let log = '';
  let secrets: string[] = [];

  beforeAll(async () => {
    const root = join(__dirname, '..');
    await promisify(execFile)(
      process.execPath,
      [
        '--experimental-vm-modules', '--no-warnings=ExperimentalWarning', join(root, 'node_modules/jest/bin/jest.js'), '--runInBand', '--silent',
        'contract-tests', '--testPathIgnorePatterns', 'log-leak', 'docs-browser', 'mock.test', 'examples.test',
      ],
      { cwd: root, env: { ...process.env, LOG_CAPTURE_DIR: dir, FUZZ_RUNS: '10' }, maxBuffer: 64 * 1024 * 1024 },
    );
    log = readFileSync(join(dir, 'server.log'), 'utf8');
    secrets = [...new Set(readFileSync(join(dir, 'secrets.txt'), 'utf8').split('\n').filter(Boolean))];
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('then the logs hold the request lines, with request, partner and operation ids', () => {
    const lines = log.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests.length).toBeGreaterThan(1000);
    expect(requests.some((line) => typeof line.partnerId === 'string' && typeof line.operationId === 'string' && typeof line.latencyMs === 'number')).toBe(true);
    expect(requests.every((line) => typeof line.requestId === 'string' && typeof line.status === 'number')).toBe(true);
  });

  it('then no secret, Basic credential or access token the pass used appears in them', () => {
    expect(secrets.length).toBeGreaterThan(30); // the capture worked
    expect(secrets.filter((secret) => log.includes(secret))).toEqual([]);
    expect(log).not.toMatch(/cs_[A-Za-z0-9_-]{43}/);
    expect(log).not.toMatch(/Bearer [A-Za-z0-9._~+/-]{20,}/i);
  });

  it('then no card number appears in them', () => {
    // A whole token of 16 digits: runs of digits inside hex ids and request ids do not count.
    const numbers = log.match(/(?<![0-9A-Za-z_])[0-9]{16}(?![0-9A-Za-z_])/g) ?? [];
    expect(numbers.filter(isValidCardNumber)).toEqual([]);
  });
});
