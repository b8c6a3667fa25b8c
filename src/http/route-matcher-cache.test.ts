import { createRequire } from 'node:module';
import { cacheRouteMatchers } from './route-matcher-cache';

type Compile = (path: string, options?: Record<string, unknown>) => { regexp: RegExp; keys: { name: string }[] };
/** The validator's own copy, as the cache patches it. */
const pathToRegexpModule = createRequire(require.resolve('express-openapi-validator'))('path-to-regexp') as { pathToRegexp: Compile };

cacheRouteMatchers();

describe('route matchers of the validator', () => {
  // The validator compiles every route pattern on every request; route-matcher-cache keeps the results.
  it('when a pattern is compiled again with the same options, then the first result is reused', () => {
    const first = pathToRegexpModule.pathToRegexp('/core/v1/cards/:cardId', { sensitive: false });
    expect(pathToRegexpModule.pathToRegexp('/core/v1/cards/:cardId', { sensitive: false })).toBe(first);
    expect(first.regexp.exec('/core/v1/cards/crd_42')?.[1]).toBe('crd_42');
    expect(first.regexp.exec('/CORE/v1/cards/crd_42/')).not.toBeNull();
    expect(first.keys.map((key) => key.name)).toEqual(['cardId']);
  });

  it('when the options differ, then each variant is compiled as path-to-regexp would', () => {
    const sensitive = pathToRegexpModule.pathToRegexp('/core/v1/cards/:cardId', { sensitive: true, trailing: false });
    const uncached = pathToRegexpModule.pathToRegexp('/core/v1/cards/:cardId', { sensitive: true, trailing: false, delimiter: '/' });
    expect(sensitive).not.toBe(uncached);
    expect(sensitive.regexp.source).toBe(uncached.regexp.source);
    expect(sensitive.regexp.flags).toBe(uncached.regexp.flags);
    expect(sensitive.regexp.exec('/CORE/v1/cards/crd_42')).toBeNull();
    expect(sensitive.regexp.exec('/core/v1/cards/crd_42/')).toBeNull();
  });

  it('when the validator asks for strict routing, then a trailing slash no longer matches (path-to-regexp 8 spells it trailing: false)', () => {
    const strict = pathToRegexpModule.pathToRegexp('/core/v1/partners', { sensitive: true, strict: true });
    expect([strict.regexp.test('/core/v1/partners'), strict.regexp.test('/core/v1/partners/')]).toEqual([true, false]);
    const loose = pathToRegexpModule.pathToRegexp('/core/v1/partners', { sensitive: true, strict: false });
    expect([loose.regexp.test('/core/v1/partners'), loose.regexp.test('/core/v1/partners/')]).toEqual([true, true]);
  });
});
