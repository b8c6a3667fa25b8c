/**
 * The embedded database's data directory holds holder names, phones and keys in its WAL and
 * catalog files: it is private to the user running the API (directories 0700, files 0600).
 * PGlite writes its files with mode 0666 whatever the umask, so the modes are repaired
 * after the database is opened and migrated, not only when the directory is created.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Mode of every directory under the data directory, itself included. */
const DATA_DIR_MODE = 0o700;
/** Mode of every file under the data directory. */
const DATA_FILE_MODE = 0o600;

/** Creates the data directory when missing and gives it and everything in it private modes. */
export function secureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  repairModes(dataDir);
}

function repairModes(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== DATA_DIR_MODE) chmodSync(path, DATA_DIR_MODE);
    for (const name of readdirSync(path)) repairModes(join(path, name));
  } else if (stat.isFile() && (stat.mode & 0o777) !== DATA_FILE_MODE) {
    chmodSync(path, DATA_FILE_MODE);
  }
}
