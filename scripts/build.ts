/**
 * `npm run build`: the production server as compiled JavaScript, `node dist/main.js`, and the
 * operators' CLI beside it, `node dist/cli.js` (what `npm run cli` runs, for a machine or a
 * container without the TypeScript sources). One bundle each of src/ (dependencies stay in
 * node_modules) plus the SQL migrations beside them; the published contract is read from
 * generated/ beside dist/ (at the project root, as in development; /app/generated in the image).
 * `npm run build -- --outdir <dir>` writes elsewhere, into a directory that is new or empty
 * (contract-tests/container.test.ts lays the image's /app out in a temporary directory).
 */
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = join(__dirname, '..');
const { outdir } = parseArgs({ options: { outdir: { type: 'string' } } }).values;
const dist = outdir ? resolve(outdir) : join(root, 'dist');

async function main(): Promise<void> {
  if (!outdir) rmSync(dist, { recursive: true, force: true });
  else if (existsSync(dist) && readdirSync(dist).length > 0) throw new Error(`--outdir ${outdir} is not empty`);
  await build({
    entryPoints: [join(root, 'src/main.ts'), join(root, 'src/cli.ts')],
    outdir: dist,
    bundle: true,
    platform: 'node',
    target: 'node24',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  cpSync(join(root, 'src/db/migrations'), join(dist, 'migrations'), { recursive: true });
  process.stdout.write(`${dist}/main.js and ${dist}/cli.js built: start the server with node dist/main.js, run the CLI with node dist/cli.js --help\n`);
}

main().catch((error) => {
  process.stderr.write(`build failed: ${String(error?.message ?? error)}\n`);
  process.exit(1);
});
