/** The server as its own process (`node --import tsx src/main.ts`, what `npm start` runs). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

export interface ApiProcess {
  /** Resolves once it listens. */
  url: Promise<string>;
  /** The internal listener's URL (INTERNAL_PORT), resolved with `url`; undefined without one. */
  internalUrl: Promise<string | undefined>;
  /** Resolves when it ends, with everything it wrote. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts the server process on a free port (PORT=0) with `env` over this process's environment (DATABASE_URL only when given). */
export function startApiProcess(env: Record<string, string>): ApiProcess {
  const { DATABASE_URL: _inherited, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...inherited, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let listening: (url: string) => void;
  let failed: (error: Error) => void;
  const url = new Promise<string>((resolve, reject) => ((listening = resolve), (failed = reject)));
  let internalListening: (url: string | undefined) => void;
  const internalUrl = new Promise<string | undefined>((resolve) => (internalListening = resolve));
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    const found = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output)?.[1];
    if (found) {
      internalListening(/"internalUrl":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output)?.[1]);
      listening(found);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) =>
    child.once('exit', (code, signal) => {
      failed(new Error(`the server exited (${code ?? signal}) before listening:\n${output}`));
      resolve({ code, signal, output });
    }),
  );
  url.catch(() => undefined); // awaited by the tests that need it
  void exit.then(() => internalListening(undefined));
  return { url, internalUrl, exit, kill: (signal) => child.kill(signal) };
}
