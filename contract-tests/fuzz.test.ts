/**
 * Spec-driven fuzzing of every operation of the published contract, discovered from it: a
 * new operation is fuzzed without anyone writing a test for it. FUZZ_RUNS sets the cases per
 * property (default 50); FUZZ_SEED replays a failing run.
 */
import { oauthScopes } from '../generated/operations';
import { document, operations } from './support/contract';
import { basic } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkMutatedRequests, checkSecurity, checkValidRequests, checkWrongMethod, fuzzRuns, type FuzzOptions } from './fuzz/harness';

let server: TestServer;
let options: FuzzOptions;

beforeAll(async () => {
  server = await startTestServer();
  const everything = await server.partner({ name: 'Partenaire complet', scopes: Object.keys(oauthScopes), basicAllowed: true });
  const nothing = await server.partner({ name: 'Partenaire sans droits', scopes: [] });
  options = {
    baseUrl: server.url,
    runs: fuzzRuns(),
    seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined,
    credentials: {
      bearer: await server.token(everything.key, everything.secret),
      scopeless: await server.token(nothing.key, nothing.secret),
      basic: basic(everything.key, everything.secret),
    },
  };
});
afterAll(() => server.stop());

describe.each(operations.map((target) => [`${target.method.toUpperCase()} ${target.path} (${target.operationId})`, target] as const))(
  '%s',
  (_title, target) => {
    it('answers valid requests, examples first, below 500 with a documented answer', () => checkValidRequests(target, options));
    it('refuses each mutated request with the documented 400 envelope', () => checkMutatedRequests(target, options));
    it('answers 401 with WWW-Authenticate without a credential, 403 without the scope', () => checkSecurity(target, options));
    it('answers a wrong method 405 with Allow', () => checkWrongMethod(target, options, Object.keys(document.paths[target.path])));
  },
);
