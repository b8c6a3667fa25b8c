/**
 * The Postman collection (generated/collection/) as a partner's developer uses it: run by
 * Newman's command line with the local environment against `npm start`'s demo, the demo
 * credentials and card number given as environment variables.
 * - The "Partner quick start" folder passes every check of every step.
 * - Every other request, sent with its documented examples, gets a status its operation
 *   documents: a request the collection builds wrong, or a server that breaks, fails here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { npmStart, type StartedServer } from './support/npm-start';

const root = join(__dirname, '..');
const collection = join(root, 'generated/collection/cynod.postman_collection.json');
const environment = join(root, 'generated/collection/local.postman_environment.json');
/** Newman's command, found through its package (so the dependency is visible to knip). */
const newmanCli = join(dirname(require.resolve('newman/package.json')), 'bin/newman.js');

interface Execution {
  cursor: { httpRequestId: string };
  item: { name: string };
  response?: { code: number };
  assertions?: { assertion: string; error?: { message: string } }[];
}
interface Report {
  run: { executions: Execution[]; failures: { error: { message: string }; source?: { name?: string } }[] };
}

let dataDir: string;
let server: StartedServer;
let report: Report;
let executions: Execution[];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cynod-collection-'));
  // Generous limits: the reference folders send ~120 requests in a few seconds, some with
  // wrong example credentials on purpose (the token and introspection examples).
  server = await npmStart(dataDir, { RATE_LIMIT_PER_MINUTE: '100000', AUTH_FAILURE_LIMIT: '1000' });
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as { consumerKey: string; consumerSecret: string; cardNumber: string };
  const exported = join(dataDir, 'newman.json');
  const args = [
    newmanCli,
    'run',
    collection,
    '--environment',
    environment,
    '--env-var',
    `baseUrl=${server.url}`,
    '--env-var',
    `clientId=${demo.consumerKey}`,
    '--env-var',
    `clientSecret=${demo.consumerSecret}`,
    '--env-var',
    `cardNumber=${demo.cardNumber}`,
    '--reporters',
    'json',
    '--reporter-json-export',
    exported,
  ];
  // Newman exits 1 when a check fails: the report says which, below.
  await promisify(execFile)(process.execPath, args, { cwd: root }).catch(() => undefined);
  report = JSON.parse(readFileSync(exported, 'utf8')) as Report;
  // Newman's JSON report lists the request that follows a pre-request pm.sendRequest twice.
  const seen = new Set<string>();
  executions = report.run.executions.filter((execution) => !seen.has(execution.cursor.httpRequestId) && seen.add(execution.cursor.httpRequestId));
}, 300_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

function failuresOf(executions: Execution[]): string[] {
  return executions.flatMap((execution) =>
    (execution.assertions ?? [])
      .filter((assertion) => assertion.error)
      .map((assertion) => `${execution.item.name} (HTTP ${execution.response?.code}): ${assertion.assertion}: ${assertion.error!.message}`),
  );
}

test('the partner quick start runs on the demo, every step answering as documented', () => {
  const steps = (JSON.parse(readFileSync(collection, 'utf8')) as { item: { name: string; item: { name: string }[] }[] }).item[0].item.map((step) => step.name);
  const journey = executions.slice(0, steps.length);
  expect(journey.map((execution) => execution.item.name)).toEqual(steps);
  expect(failuresOf(journey)).toEqual([]);
  expect(journey.every((execution) => (execution.assertions ?? []).length > 0)).toBe(true);
});

test('every other request gets a status its operation documents, never a 5xx', () => {
  expect(executions.length).toBeGreaterThan(100);
  expect(failuresOf(executions)).toEqual([]);
  expect(executions.filter((execution) => (execution.response?.code ?? 599) >= 500).map((execution) => execution.item.name)).toEqual([]);
  expect(report.run.failures.map((failure) => `${failure.source?.name}: ${failure.error.message}`)).toEqual([]);
});
