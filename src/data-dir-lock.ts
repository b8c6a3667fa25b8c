/**
 * One process at a time on the embedded database: PGlite keeps the database in memory and
 * writes it back to the data directory, so a second process on the same directory works on
 * a copy whose changes are lost (a CLI-created partner vanished when the server stopped).
 * Whoever opens the embedded database (the server, the CLI) holds `cynod.lock` in the data
 * directory, created exclusively and holding its pid; a lock whose pid is no longer alive is
 * stale and taken over. With DATABASE_URL, PostgreSQL handles concurrency and no lock is taken.
 * The CLI finding the directory held by a server runs its command inside it (src/cli/channel.ts).
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Another live process holds the data directory. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`the data directory ${dataDir} is in use by process ${pid} (the server?): stop it first, or use DATABASE_URL with PostgreSQL to share the database`);
    this.name = 'DataDirLockedError';
  }
}

/** Releases a lock: removes the lock file if it is still this process's. Safe to call twice. */
export type ReleaseLock = () => void;

const lockFileOf = (dataDir: string) => join(dataDir, 'cynod.lock');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the data directory's lock (the directory must exist); DataDirLockedError when a live process holds it. */
export function lockDataDir(dataDir: string): ReleaseLock {
  const file = lockFileOf(dataDir);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = holderOf(file);
      if (holder !== null && holder !== process.pid && isAlive(holder)) throw new DataDirLockedError(dataDir, holder);
      unlinkSync(file);
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (holderOf(file) === process.pid) unlinkSync(file);
  };
  process.on('exit', release);
  return release;
}
