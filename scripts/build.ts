/**
 * `npm run build`: the production server as compiled JavaScript, `node dist/main.js`.
 * One bundle of src/ (dependencies stay in node_modules) plus the SQL migrations beside it;
 * the published contract is read from generated/ at the project root, as in development.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(__dirname, '..');
const dist = join(root, 'dist');

async function main(): Promise<void> {
  rmSync(dist, { recursive: true, force: true });
  await build({
    entryPoints: [join(root, 'src/main.ts')],
    outfile: join(dist, 'main.js'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  cpSync(join(root, 'src/db/migrations'), join(dist, 'migrations'), { recursive: true });
  process.stdout.write('dist/main.js built: start it with node dist/main.js\n');
}

main().catch((error) => {
  process.stderr.write(`build failed: ${String(error?.message ?? error)}\n`);
  process.exit(1);
});
