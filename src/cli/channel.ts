/**
 * The CLI beside a running server. The embedded database allows one process per data directory
 * (src/data-dir-lock.ts), so while the server holds it, the CLI hands its command line to the
 * server, which runs it on its own database and streams the output back. The channel is a Unix
 * socket in the data directory, `cynod-cli.sock`: mode 0600 in a 0700 directory, so only the
 * user owning the data directory (who can read the database files anyway) can connect, and a
 * socket file is not reachable from the network. The server opens it only on the embedded
 * database; with DATABASE_URL the CLI opens its own connection. One JSON message a line:
 * the CLI sends `{ argv }`, the server answers `{ out }` per line of output, then `{ end, err? }`
 * (the exit status and the message for stderr).
 */
import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { relative, resolve } from 'node:path';
import type { Database } from '../db/database';
import type { FailureSettings } from '../domain/security/lockouts';
import { cliFailure, runCli } from './commands';

const SOCKET_NAME = 'cynod-cli.sock';
/** A socket's path must fit sun_path: 108 bytes on Linux, 104 on macOS. */
const MAX_SOCKET_PATH_BYTES = 100;
/** A command line is small; anything longer is not one. */
const MAX_REQUEST_BYTES = 64 * 1024;
/** A connection that sends no command line within this time is closed. */
const REQUEST_TIMEOUT_MS = 10_000;

/** The channel's socket for a data directory (relative to the working directory when the absolute path is too long for a socket). */
function cliSocketOf(dataDir: string): string {
  const absolute = resolve(dataDir, SOCKET_NAME);
  if (Buffer.byteLength(absolute) <= MAX_SOCKET_PATH_BYTES) return absolute;
  const fromHere = relative(process.cwd(), absolute);
  return Buffer.byteLength(fromHere) < Buffer.byteLength(absolute) ? fromHere : absolute;
}

/** The open channel; `close` stops taking commands and waits for those running. */
export interface CliChannel {
  path: string;
  close(): Promise<void>;
}

type Message = { out: string } | { end: number; err?: string };

/**
 * Serves CLI commands on the data directory's socket, run on `db` with the server's failure
 * settings. Only the process holding the data directory's lock may call it: a socket file left
 * by a server that died is removed first. `onUnexpected` hears of commands that failed for a
 * reason other than the command line or the data (to log them).
 */
export async function serveCli(dataDir: string, db: Database, settings: FailureSettings, onUnexpected: (error: unknown) => void): Promise<CliChannel> {
  const path = cliSocketOf(dataDir);
  rmSync(path, { force: true });
  const runs = new Set<Promise<void>>();
  const waiting = new Set<Socket>();
  let closing = false;

  const answer = async (socket: Socket, request: string) => {
    const send = (message: Message) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
    };
    let argv: unknown;
    try {
      argv = (JSON.parse(request) as { argv?: unknown }).argv;
    } catch {
      argv = undefined;
    }
    if (!Array.isArray(argv) || !argv.every((arg) => typeof arg === 'string')) {
      send({ end: 2, err: 'not a CLI command line' });
    } else if (closing) {
      send({ end: 1, err: 'refused: the server is stopping; run the command again once it has stopped' });
    } else {
      try {
        await runCli(argv, db, (line) => send({ out: line }), settings);
        send({ end: 0 });
      } catch (error) {
        const failure = cliFailure(error);
        if (failure.unexpected) onUnexpected(error);
        send({ end: failure.exitCode, err: failure.message });
      }
    }
    socket.end();
  };

  const server = createServer((socket) => {
    waiting.add(socket);
    socket.setEncoding('utf8');
    socket.on('error', () => undefined); // the CLI went away: nothing to tell it
    const timer = setTimeout(() => socket.destroy(), REQUEST_TIMEOUT_MS);
    let request = '';
    const onData = (chunk: string) => {
      request += chunk;
      const end = request.indexOf('\n');
      if (end < 0) {
        if (request.length > MAX_REQUEST_BYTES) socket.destroy();
        return;
      }
      socket.off('data', onData);
      clearTimeout(timer);
      waiting.delete(socket);
      const run: Promise<void> = answer(socket, request.slice(0, end)).finally(() => runs.delete(run));
      runs.add(run);
    };
    socket.on('data', onData);
    socket.on('close', () => {
      clearTimeout(timer);
      waiting.delete(socket);
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  chmodSync(path, 0o600);
  return {
    path,
    async close() {
      closing = true;
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      for (const socket of waiting) socket.destroy();
      await Promise.all([closed, ...runs]);
    },
  };
}

/** Nothing answers on the data directory's socket (no server, one still starting, or one older than this CLI). */
export class ChannelUnavailableError extends Error {}

/**
 * Runs a command line in the server holding the data directory: its output lines go to `out`,
 * its error message to `err`; resolves with the command's exit status.
 */
export function runInServer(dataDir: string, argv: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  return new Promise((resolveRun, reject) => {
    const socket = createConnection({ path: cliSocketOf(dataDir) });
    socket.setEncoding('utf8');
    let connected = false;
    let ended = false;
    let received = '';
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify({ argv })}\n`);
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
      for (let newline = received.indexOf('\n'); newline >= 0; newline = received.indexOf('\n')) {
        const message = JSON.parse(received.slice(0, newline)) as Message;
        received = received.slice(newline + 1);
        if ('out' in message) out(message.out);
        else {
          ended = true;
          if (message.err) err(message.err);
          resolveRun(message.end);
        }
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected) reject(new ChannelUnavailableError(error.code ?? error.message));
    });
    socket.on('close', () => {
      if (!ended && connected)
        reject(new Error('the server closed the connection before the command ended: it may or may not have been applied (check with a list command)'));
    });
  });
}
