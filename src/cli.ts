/**
 * The command line (src/cli/commands.ts has the commands; `--help` lists them):
 *   npm run cli -- --help                 in a clone (tsx)
 *   node dist/cli.js --help               in production (npm run build)
 * It uses the server's configuration. Help and command-line mistakes need no database. With
 * DATABASE_URL it opens its own connection; with the embedded database it opens the data
 * directory itself when nobody holds it, and otherwise runs the command inside the server
 * holding it (src/cli/channel.ts), never opening the database a second time.
 */
import { mkdirSync } from 'node:fs';
import { readConfig } from './config';
import { secureDataDir } from './data-dir';
import { DataDirLockedError, lockDataDir } from './data-dir-lock';
import { openDatabase } from './db/database';
import { migrate } from './db/migrate';
import { ChannelUnavailableError, runInServer } from './cli/channel';
import { cliFailure, parseCommand, RefusedError, runCli } from './cli/commands';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** Runs the command line; resolves with the exit status. */
async function main(argv: string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.kind === 'help') {
    out(command.text);
    return 0;
  }
  const config = readConfig();
  let unlock = () => undefined as void;
  if (!config.databaseUrl) {
    process.umask(0o077);
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    try {
      unlock = lockDataDir(config.dataDir);
    } catch (error) {
      if (!(error instanceof DataDirLockedError)) throw error;
      return runInServer(config.dataDir, argv, out, err).catch((cause: unknown) => {
        if (!(cause instanceof ChannelUnavailableError)) throw cause;
        throw new RefusedError(
          `the data directory ${error.dataDir} is in use by process ${error.pid}, which takes no CLI commands (a server still starting, another CLI command, or a server older than this CLI): retry in a moment, or stop it first`,
        );
      });
    }
    secureDataDir(config.dataDir);
  }
  try {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
    try {
      await migrate(db);
      await runCli(argv, db, out, config);
    } finally {
      await db.close();
      if (!config.databaseUrl) secureDataDir(config.dataDir);
    }
  } finally {
    unlock();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    const failure = cliFailure(error);
    err(failure.message);
    process.exit(failure.exitCode);
  },
);
