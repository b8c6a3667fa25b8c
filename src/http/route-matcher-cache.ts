import { createRequire } from 'node:module';

/** The part of path-to-regexp 8 the validator calls. */
interface PathToRegexpModule {
  pathToRegexp(
    path: unknown,
    options?: { sensitive?: boolean; strict?: boolean; end?: boolean; trailing?: boolean; delimiter?: string; encodePath?: unknown },
  ): { regexp: RegExp; keys: { name: string }[] };
}

/**
 * The copy of path-to-regexp the validator itself loads (resolved from its own folder, so a
 * differently nested copy cannot be patched by mistake).
 */
const pathToRegexpModule = createRequire(require.resolve('express-openapi-validator'))('path-to-regexp') as PathToRegexpModule;

/** How often a compiled pattern was reused: tests read it to prove the validator goes through the cache. */
export const routeMatcherCacheStats = { hits: 0 };

/**
 * express-openapi-validator 5.6 finds a request's operation by compiling the path pattern of
 * every route of the contract, on every request, until one matches (upstream:
 * cdimascio/express-openapi-validator#1217). The profile of `npm run bench` showed it as the
 * largest single cost of GET /partner/v1/me (about 15% of the server's CPU with six routes, and
 * it grows with every route added). Compiling is a pure function of the pattern and options, so
 * the results are kept and reused; the validator only reads them (a RegExp without the g or y
 * flag, and the parameter keys). Express's own router does not call this function.
 */
export function cacheRouteMatchers(): void {
  type PathToRegexp = typeof pathToRegexpModule.pathToRegexp & { cached?: true };
  const compile = pathToRegexpModule.pathToRegexp as PathToRegexp;
  if (compile.cached) return;
  // pattern -> results by option variant; keyed by the pattern string itself (the validator
  // passes the same strings every time, so the lookup costs no string building or hashing).
  const compiled = new Map<string, ReturnType<PathToRegexp>[]>();
  const cached: PathToRegexp = (path, options = {}) => {
    // Kept: string patterns with the boolean options of path-to-regexp 8 (the validator passes
    // sensitive, and strict, which version 8 ignores). Anything else is compiled every time.
    if (typeof path !== 'string' || options.delimiter !== undefined || options.encodePath !== undefined) return compile(path, options);
    // The validator asks for Express's `strict routing` as `strict`, which path-to-regexp 8
    // ignores: it means "no optional trailing slash", which version 8 spells `trailing: false`.
    if (options.strict !== undefined && options.trailing === undefined) options = { ...options, trailing: !options.strict };
    const variant = (options.sensitive ? 1 : 0) + (options.end === false ? 2 : 0) + (options.trailing === false ? 4 : 0);
    let variants = compiled.get(path);
    if (!variants) {
      variants = [];
      if (compiled.size < 10_000) compiled.set(path, variants); // patterns come from the contract: a few hundred at most
    }
    const known = variants[variant];
    if (known) {
      routeMatcherCacheStats.hits += 1;
      return known;
    }
    return (variants[variant] = compile(path, options));
  };
  cached.cached = true;
  pathToRegexpModule.pathToRegexp = cached;
}
