/**
 * The route-pattern cache (src/http/route-matcher-cache.ts) patches the path-to-regexp copy
 * the validator loads. If a package update moved that copy, the patch would silently stop
 * working: this test proves, across real requests to a running server, that the validator's
 * route matching goes through the cache, and through the narrowed route lists of
 * src/http/route-lookup.ts (the same kind of patch).
 */
import { routeMatcherCacheStats } from '../src/http/route-matcher-cache';
import { routeLookupStats } from '../src/http/route-lookup';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('route-pattern cache', () => {
  it('when the validator matches the route of real requests, then it reuses compiled patterns', async () => {
    const token = await server.coreToken();
    await call(`${server.url}/core/v1/networks`, { headers: { authorization: `Bearer ${token}` } });
    const before = routeMatcherCacheStats.hits;
    const narrowedBefore = routeLookupStats.narrowed;
    const answer = await call(`${server.url}/core/v1/networks`, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(200);
    expect(routeMatcherCacheStats.hits).toBeGreaterThan(before);
    // ...over the short list of routes the path can match (src/http/route-lookup.ts).
    expect(routeLookupStats.narrowed).toBeGreaterThan(narrowedBefore);
  });
});
