/** One process at a time on the embedded database; the CLI beside the server goes through it. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmStart } from './support/npm-start';

jest.setTimeout(300_000);

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
  it('when the server holds the data directory, then the CLI runs its command inside the server, never opening the database a second time, and the change outlives the server', async () => {
    const dataDir = join(scratch, 'shared');
    // What a server killed with SIGKILL leaves behind: its lock and its CLI socket.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const killed = spawnSync(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(join(dataDir, 'cynod-cli.sock'))}, () => { require('node:fs').writeFileSync(${JSON.stringify(join(dataDir, 'cynod.lock'))}, process.pid + '\\n'); process.kill(process.pid, 'SIGKILL'); })`,
    ]);
    expect(killed.signal).toBe('SIGKILL');
    expect(statSync(join(dataDir, 'cynod-cli.sock')).isSocket()).toBe(true);
    const server = await npmStart(dataDir);
    let created: ReturnType<typeof cli>;
    try {
      expect(existsSync(join(dataDir, 'cynod.lock'))).toBe(true);
      created = cli(dataDir, 'partner', 'create', '--name', 'Kept Partner', '--scopes', 'partner:profile.read');
    } finally {
      await server.stop();
    }
    expect([created.status, created.stderr]).toEqual([0, '']);
    expect(created.stdout).toContain('consumer-secret');
    expect(existsSync(join(dataDir, 'cynod.lock'))).toBe(false);
    expect(existsSync(join(dataDir, 'cynod-cli.sock'))).toBe(false);

    const listed = cli(dataDir, 'partner', 'list');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain('Kept Partner');
  });

  it('when a live process that takes no CLI commands holds the data directory, then the CLI refuses with one line and a non-zero exit', () => {
    const dataDir = join(scratch, 'held');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'cynod.lock'), `${process.pid}\n`);

    const refused = cli(dataDir, 'partner', 'create', '--name', 'Lost Partner', '--scopes', 'partner:profile.read');

    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^refused: the data directory .* is in use by process \d+, which takes no CLI commands/),
    ]);
    expect(readdirSync(dataDir)).toEqual(['cynod.lock']);
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

  it('when the server is paused as SIGTERM reaches it (a loaded machine), then it still stops by its own hand: the lock is released and what it wrote is kept', async () => {
    // Under `tsx src/main.ts` a wrapper process relays the signal and SIGKILLs a server that has
    // not answered within 30 ms: the lock stayed behind and unsaved writes were lost.
    const dataDir = join(scratch, 'paused');
    const server = await npmStart(dataDir);
    const pid = Number(readFileSync(join(dataDir, 'cynod.lock'), 'utf8').trim());
    let created: ReturnType<typeof cli>;
    try {
      created = cli(dataDir, 'partner', 'create', '--name', 'Paused Partner', '--scopes', 'partner:profile.read');
      process.kill(pid, 'SIGSTOP');
    } finally {
      const stopping = server.stop();
      await new Promise((resolve) => setTimeout(resolve, 500));
      process.kill(pid, 'SIGCONT');
      await stopping;
    }
    expect([created.status, created.stderr]).toEqual([0, '']);
    expect(existsSync(join(dataDir, 'cynod.lock'))).toBe(false);
    expect(cli(dataDir, 'partner', 'list').stdout).toContain('Paused Partner');
  });
});
