/** The fuzz harness catches real faults: a handler leaking an undocumented field, one that throws. */
import { handlers } from '../src/handlers';
import { findOperation } from './support/contract';
import { basic } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkValidRequests, type FuzzOptions } from './fuzz/harness';

let server: TestServer;
let options: FuzzOptions;

beforeAll(async () => {
  server = await startTestServer({
    handlers: {
      ...handlers,
      // Open objects pass the server's own response validation: only the closed check sees this.
      getHealth: async () => ({ status: 'ok', mode: 'live', internalHost: 'db-primary.cynod.local' }) as never,
      getPartnerMe: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'partnerId')");
      },
    },
  });
  const partner = await server.partner({ basicAllowed: true });
  const token = await server.token(partner.key, partner.secret);
  options = { baseUrl: server.url, runs: 5, credentials: { bearer: token, scopeless: token, basic: basic(partner.key, partner.secret) } };
});
afterAll(() => server.stop());

describe('when a handler answers a field the contract does not document', () => {
  it('then the harness reports it with the request to replay', async () => {
    await expect(checkValidRequests(findOperation('getHealth'), options)).rejects.toThrow(
      /must NOT have additional properties[\s\S]*request: GET http:\/\/127\.0\.0\.1:\d+\/health/,
    );
  });
});

describe('when a handler throws', () => {
  it('then the harness reports the 5xx', async () => {
    await expect(checkValidRequests(findOperation('getPartnerMe'), options)).rejects.toThrow(/a valid request got 500/);
  });
});
