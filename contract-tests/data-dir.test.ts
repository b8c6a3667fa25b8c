/** The embedded database's files are private to the user running the API. */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secureDataDir } from '../src/data-dir';
import { npmStart } from './support/npm-start';

jest.setTimeout(300_000);

/** Every path under dir with its permission bits, the dir itself included. */
function modes(dir: string): Array<[string, number, boolean]> {
  const entries: Array<[string, number, boolean]> = [];
  const walk = (path: string) => {
    const stat = statSync(path);
    entries.push([path, stat.mode & 0o777, stat.isDirectory()]);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return entries;
}

const notPrivate = (dir: string) => modes(dir).filter(([, mode, isDir]) => mode !== (isDir ? 0o700 : 0o600));

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'cynod-data-dir-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the data directory', () => {
  it('when npm start creates it and the database is written, then every directory is 0700 and every file 0600', async () => {
    const dataDir = join(scratch, 'fresh');
    const server = await npmStart(dataDir);
    try {
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(notPrivate(dataDir)).toEqual([]);
      expect(modes(join(dataDir, 'pg_wal')).some(([, , isDir]) => !isDir)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(notPrivate(dataDir)).toEqual([]);
  });

  it('when an existing directory is readable by everyone, then its modes are repaired at start', () => {
    const dataDir = join(scratch, 'existing');
    mkdirSync(join(dataDir, 'pg_wal'), { recursive: true });
    writeFileSync(join(dataDir, 'pg_wal', '000000010000000000000001'), 'wal');
    writeFileSync(join(dataDir, 'demo-credentials.json'), '{}');
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'pg_wal'), 0o777);
    chmodSync(join(dataDir, 'pg_wal', '000000010000000000000001'), 0o666);
    chmodSync(join(dataDir, 'demo-credentials.json'), 0o644);

    secureDataDir(dataDir);

    expect(notPrivate(dataDir)).toEqual([]);
  });
});
