/** Starts scripts/bench/server.ts in a child process and drives it over IPC. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildMessage, TargetSpec } from './protocol';

const SERVER_SCRIPT = join(__dirname, 'server.ts');
const REPO_ROOT = join(__dirname, '..', '..');

export interface SpawnOptions {
  /** Where the server's stdout goes: the terminal, or /dev/null (for the logging scenario). */
  stdout: 'inherit' | 'ignore';
  /**
   * Writes V8 CPU profiles of the server to this directory: one per thread (tsx's loader
   * runs in a worker thread); the main thread's file name has thread id 0 (`.<pid>.0.`).
   */
  cpuProfileDir?: string;
}

export interface RunningTarget {
  url: string;
  pid: number;
  /** CPU time (user + system) the server process has used so far, in microseconds. */
  cpuMicros(): Promise<number>;
  /** Stops the server; resolves with its peak RSS in bytes. */
  stop(): Promise<number>;
}

/**
 * The flags `npm start` gives node (package.json's start script, `node [flags] --import tsx
 * src/main.ts`): every server process of the bench runs with the same, so that its memory and
 * speed are the server's as started (V8's heap sizing flags change both).
 */
function startFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const flags = /^node((?: --[\w-]+(?:=\S+)?)*) --import tsx src\/main\.ts$/.exec(scripts.start);
  if (!flags) throw new Error(`package.json's start script is not "node [flags] --import tsx src/main.ts" as the bench expects: ${scripts.start}`);
  return flags[1].split(' ').filter(Boolean);
}

function spawnServer(spec: TargetSpec, options: SpawnOptions): ChildProcess {
  const profiling = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...startFlags(), ...profiling, '--import', 'tsx', SERVER_SCRIPT, JSON.stringify(spec)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', options.stdout, 'inherit', 'ipc'],
  });
  // A send to a server that died is reported here; the waiting side times out or sees the exit.
  child.on('error', (error) => process.stderr.write(`bench server ${child.pid ?? '?'}: ${error.message}\n`));
  return child;
}

/** The next message of `type` from the child; fails if it exits first or takes too long. */
function nextMessage<T extends ChildMessage['type']>(child: ChildProcess, type: T, timeoutMs: number): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      reject(new Error(`bench server exited (${child.signalCode ?? `code ${child.exitCode}`}) before sending "${type}"`));
      return;
    }
    const timer = setTimeout(() => finish(new Error(`bench server sent no "${type}" within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: ChildMessage) => {
      if (message.type === type) finish(undefined, message as Extract<ChildMessage, { type: T }>);
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(new Error(`bench server exited (${signal ?? `code ${code}`}) before sending "${type}"`));
    function finish(error?: Error, message?: Extract<ChildMessage, { type: T }>) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Migrates the fresh database and creates the benchmark partner (in a child, like the servers). */
export async function prepareDatabase(spec: Omit<TargetSpec, 'kind'>): Promise<Omit<Extract<ChildMessage, { type: 'prepared' }>, 'type'>> {
  const child = spawnServer({ ...spec, kind: 'prepare' }, { stdout: 'inherit' });
  const prepared = await nextMessage(child, 'prepared', 120_000).catch((error) => {
    child.kill();
    throw error;
  });
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  return { consumerKey: prepared.consumerKey, consumerSecret: prepared.consumerSecret, core: prepared.core };
}

/** Starts a fresh server process for one measurement. */
export async function startTarget(spec: TargetSpec, options: SpawnOptions): Promise<RunningTarget> {
  const child = spawnServer(spec, options);
  const ready = await nextMessage(child, 'ready', 60_000).catch((error) => {
    child.kill();
    throw error;
  });
  return {
    url: ready.url,
    pid: child.pid!,
    async cpuMicros() {
      const answer = nextMessage(child, 'cpu', 15_000);
      child.send({ type: 'cpu' });
      return (await answer).micros;
    },
    async stop() {
      const stopped = nextMessage(child, 'stopped', 15_000);
      child.send({ type: 'stop' });
      try {
        const { peakRssBytes } = await stopped;
        await new Promise((resolve) => (child.exitCode === null && child.signalCode === null ? child.once('exit', resolve) : resolve(undefined)));
        return peakRssBytes;
      } catch (error) {
        child.kill('SIGKILL');
        throw error;
      }
    },
  };
}
