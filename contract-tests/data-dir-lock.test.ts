/** One process at a time on the embedded database (item 11 of issue 11). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmStart } from './support/npm-start';

jest.setTimeout(180_000);

const root = join(__dirname, '..');

/** `npm run cli -- ...` on the data directory (the CLI itself, without npm's banner). */
function cli(dataDir: string, ...argv: string[]) {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const run = spawnSync(join(root, 'node_modules/.bin/tsx'), ['src/cli.ts', ...argv], { cwd: root, env: { ...env, DATA_DIR: dataDir }, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'cynod-lock-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the data directory lock', () => {
  it('when the server holds the data directory, then the CLI refuses with one line and a non-zero exit, and works once the server stops', async () => {
    const dataDir = join(scratch, 'shared');
    const server = await npmStart(dataDir);
    let refused: ReturnType<typeof cli>;
    try {
      expect(existsSync(join(dataDir, 'cynod.lock'))).toBe(true);
      refused = cli(dataDir, 'partner', 'create', '--name', 'Lost Partner', '--scopes', 'partner:profile.read');
    } finally {
      await server.stop();
    }
    expect(refused.status).not.toBe(0);
    expect(refused.stdout).not.toContain('consumer-secret');
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^refused: the data directory .* is in use by process \d+/)]);
    expect(existsSync(join(dataDir, 'cynod.lock'))).toBe(false);

    const created = cli(dataDir, 'partner', 'create', '--name', 'Kept Partner', '--scopes', 'partner:profile.read');
    expect(created.status).toBe(0);
    const listed = cli(dataDir, 'partner', 'list');
    expect(listed.stdout).toContain('Kept Partner');
    expect(listed.stdout).not.toContain('Lost Partner');
  });

  it('when the lock names a process that is gone, then it is stale and the CLI takes it over', () => {
    const dataDir = join(scratch, 'stale');
    mkdirSync(dataDir, { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dataDir, 'cynod.lock'), `${gone.stdout}\n`);

    const listed = cli(dataDir, 'partner', 'list');

    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    expect(existsSync(join(dataDir, 'cynod.lock'))).toBe(false);
  });
});
