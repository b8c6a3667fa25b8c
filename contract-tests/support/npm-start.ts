/** `npm start` as a child process on a data directory, as a newcomer runs it (embedded database). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../..');

/** How long stop() waits for the server's processes to be gone after SIGTERM. */
const STOP_WAIT_MS = 90_000;
/**
 * How long the server may take to print its URL. It takes about 10 s on a quiet machine (the
 * embedded database, its migrations and the demo data); CI runs two test passes side by side on
 * two CPUs, which has stretched that past 60 s.
 */
const START_WAIT_MS = 180_000;

export interface StartedServer {
  url: string;
  /** Stops the server with SIGTERM (a clean exit) and waits for it. */
  stop(): Promise<void>;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts the server on DATA_DIR=dataDir, PORT=0 and resolves once it prints its URL. */
export function npmStart(dataDir: string, env: Record<string, string> = {}): Promise<StartedServer> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: root,
    env: { ...inherited, ...env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
    // npm may exit before the server it started: wait for the whole process group. The server
    // exits by its own shutdown grace (25 s by default); a loaded CI machine (two test passes
    // side by side) can stretch that, so the wait is by the clock, and generous.
    const since = Date.now();
    while (groupAlive(child.pid!)) {
      if (Date.now() - since > STOP_WAIT_MS) throw new Error(`the server's process group ${child.pid} is still alive ${STOP_WAIT_MS / 1000} s after SIGTERM`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return new Promise((resolve, reject) => {
    let output = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void stop();
    }, START_WAIT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(output)?.[0];
      if (url) {
        clearTimeout(timer);
        resolve({ url, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(timedOut ? `no URL within ${START_WAIT_MS / 1000} s:\n${output}` : `npm start exited:\n${output}`));
    });
  });
}
