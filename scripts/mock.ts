/**
 * `npm run mock`: Prism serving the published contract's examples on 127.0.0.1:4010.
 * `npm run mock -- --port 4011` (or `--host`, or any other Prism option) overrides the
 * defaults: Prism refuses an option given twice, so a default is added only when absent.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..');
const DEFAULTS: ReadonlyArray<readonly [names: readonly string[], value: string]> = [
  [['--host', '-h'], '127.0.0.1'],
  [['--port', '-p'], '4010'],
];

/** Prism's arguments: the caller's, plus each default the caller did not give. */
function mockArguments(given: readonly string[]): string[] {
  const gives = (names: readonly string[]) => given.some((argument) => names.some((name) => argument === name || argument.startsWith(`${name}=`)));
  const defaults = DEFAULTS.filter(([names]) => !gives(names)).flatMap(([names, value]) => [names[0], value]);
  return ['mock', join(root, 'generated/openapi.yaml'), ...defaults, ...given];
}

/** Prism's command, found through its package (so the dependency is visible to knip). */
const prismCli = join(dirname(require.resolve('@stoplight/prism-cli/package.json')), 'dist/index.js');
const prism = spawn(process.execPath, [prismCli, ...mockArguments(process.argv.slice(2))], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => prism.kill(signal));
prism.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
