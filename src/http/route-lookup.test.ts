import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { narrowRouteLookup, routeLookupStats, segmentTree } from './route-lookup';

type Middleware = (req: Request, res: Response, next: NextFunction) => unknown;
type MetadataMiddleware = (context: unknown, responseApiDoc: unknown) => Middleware;

const fromValidator = createRequire(require.resolve('express-openapi-validator'));
const prototype = (fromValidator('./openapi.validator') as { OpenApiValidator: { prototype: { metadataMiddleware: MetadataMiddleware } } }).OpenApiValidator
  .prototype;
const { OpenApiSpecLoader } = fromValidator('./framework/openapi.spec.loader') as { OpenApiSpecLoader: new (options: object) => { load(): Promise<unknown> } };
const { OpenApiContext } = fromValidator('./framework/openapi.context') as {
  OpenApiContext: new (
    spec: unknown,
    ignorePaths: unknown,
    ignoreUndocumented: boolean,
    useRequestUrl: boolean,
  ) => { expressRouteMap: Record<string, unknown> };
};

/** The validator's own lookup over the whole contract, kept before the patch. */
const wholeLookup = prototype.metadataMiddleware;
narrowRouteLookup();
const narrowLookup = prototype.metadataMiddleware;

const contract = JSON.parse(readFileSync(join(__dirname, '..', '..', 'generated', 'openapi.json'), 'utf8')) as { paths: Record<string, object> };

/** What a lookup did with a request: the operation, route and parameters it set, or the error it threw, or that it passed. */
function outcome(middleware: Middleware, method: string, url: string, routing: { strict: boolean; sensitive: boolean }) {
  const req = {
    method,
    url,
    originalUrl: url,
    baseUrl: '',
    path: url.split('?')[0],
    params: {},
    app: { enabled: (setting: string) => (setting === 'strict routing' ? routing.strict : routing.sensitive) },
  } as unknown as Request & { openapi?: { expressRoute: string; pathParams: object; schema?: { operationId?: string } } };
  let passed = false;
  try {
    middleware(req, {} as Response, () => (passed = true));
  } catch (error) {
    const { status, message, headers } = error as { status?: number; message?: string; headers?: unknown };
    return { error: { status, message, headers } };
  }
  return { passed, route: req.openapi?.expressRoute, operation: req.openapi?.schema?.operationId, parameters: req.openapi?.pathParams };
}

describe('route lookup of the validator', () => {
  it('when requests of every path, method and shape are looked up, then the narrowed lookup answers exactly as the walk over the whole contract', async () => {
    const spec = await new OpenApiSpecLoader({ apiDoc: structuredClone(contract), validateApiSpec: false }).load();
    const context = new OpenApiContext(spec, undefined, false, false);
    const paths = Object.keys(contract.paths).flatMap((path) => {
      const filled = path.replace(/\{[^}]+\}/g, 'x_1');
      return [
        filled,
        `${filled}/`,
        filled.toUpperCase(),
        `${filled}?limit=1`,
        `${filled}/extra`,
        filled.replace(/x_1/g, 'a%20b'),
        filled.replace(/x_1/g, '%E0%A4%A'),
      ];
    });
    const urls = [...paths, '/', '/nowhere', '/core/v1', '/core/v1/', '//core/v1/cards', '/partner/v1/cards/lookup', '/partner/v1/me'];
    let compared = 0;
    for (const routing of [
      { strict: true, sensitive: true },
      { strict: false, sensitive: false },
    ]) {
      const whole = wholeLookup(context, null);
      const narrow = narrowLookup(context, null);
      for (const url of urls) {
        for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
          expect({ method, url, ...outcome(narrow, method, url, routing) }).toEqual({ method, url, ...outcome(whole, method, url, routing) });
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(routeLookupStats.narrowed).toBeGreaterThanOrEqual(compared);
  });

  it('when a path is looked up, then only the routes it can match are tried, however many the contract has', () => {
    const patterns = ['/partner/v1/cards/lookup', '/partner/v1/cards/:cardId', '/partner/v1/me', '/core/v1/cards/:cardId', '/files/*rest', '/'];
    const tree = segmentTree(patterns);
    const tried = (path: string) => {
      const { ends, always } = tree.candidates(path);
      return [...ends.flatMap((node) => node.routes), ...always].sort().map((index) => patterns[index]);
    };
    expect(tried('/partner/v1/me')).toEqual(['/partner/v1/me', '/files/*rest']);
    expect(tried('/Partner/v1/cards/lookup/')).toEqual(['/partner/v1/cards/lookup', '/partner/v1/cards/:cardId', '/files/*rest']);
    expect(tried('/core/v1/cards/crd_1')).toEqual(['/core/v1/cards/:cardId', '/files/*rest']);
    expect(tried('/core/v1/cards')).toEqual(['/files/*rest']);
    expect(tried('/')).toEqual(['/files/*rest', '/']); // in the order of the patterns
  });
});
