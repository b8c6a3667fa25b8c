import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import contract from '../../generated/openapi.json';
import { alreadyBundled, leanSpecLoading, validatorSpecLoadingStats } from './validator-spec-loading';

leanSpecLoading();

/** A server validating requests against `apiSpec` and answering 200 `{}`; errors answer their status (599 without). */
async function serve(apiSpec: object, options: { $refParser?: { mode: 'bundle' | 'dereference' } } = {}) {
  const app = express();
  app.use(express.json());
  app.use(
    OpenApiValidator.middleware({
      apiSpec: apiSpec as never,
      validateRequests: true,
      validateResponses: false,
      validateSecurity: false,
      ignoreUndocumented: true,
      ...options,
    }),
  );
  app.use((_req, res) => res.json({}));
  app.use((error: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(error.status ?? 599).json({});
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = async (path: string, body: unknown) =>
    (await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;
  return { post, close: () => new Promise((done) => server.close(done)) };
}

/** One operation taking a Thing, whose schema is `thing` (an object, or a `$ref`). */
function fixture(thing: object, openapi = '3.0.3') {
  return {
    openapi,
    info: { title: 'fixture', version: '1.0.0' },
    paths: {
      '/things': { post: { requestBody: { required: true, content: { 'application/json': { schema: thing } } }, responses: { 200: { description: 'ok' } } } },
    },
    components: { schemas: { Thing: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^thg_' } } } } },
  };
}

describe('the validator start-up patch (validator-spec-loading.ts)', () => {
  it('when the bundler is given the contract, then it gives the contract back unchanged: taking it as it is changes nothing', async () => {
    const refParser = createRequire(require.resolve('express-openapi-validator'))('@apidevtools/json-schema-ref-parser') as {
      bundle(document: object): Promise<unknown>;
    };
    expect(alreadyBundled(contract)).toBe(true);
    expect(await refParser.bundle(structuredClone(contract))).toEqual(contract);
  });

  it('when two apps start on the contract, then neither bundles it and the second shares the OpenAPI schema checker', async () => {
    const before = { ...validatorSpecLoadingStats };
    for (let n = 0; n < 2; n++) {
      const app = await serve(structuredClone(contract));
      // A card lookup without its number is refused: the contract was loaded and is enforced.
      expect(await app.post('/partner/v1/cards/lookup', { unknown: true })).toBe(400);
      await app.close();
    }
    expect(validatorSpecLoadingStats.bundlesSkipped - before.bundlesSkipped).toBe(2);
    expect(validatorSpecLoadingStats.schemaValidatorsShared - before.schemaValidatorsShared).toBeGreaterThanOrEqual(1);
  });

  it('when a document names a schema in another file, then it is bundled as before and that schema is enforced', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'spec-loading-'));
    const file = join(folder, 'thing.json');
    writeFileSync(file, JSON.stringify({ type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 2 } } }));
    const before = validatorSpecLoadingStats.bundlesSkipped;
    const app = await serve(fixture({ $ref: file }));
    expect([await app.post('/things', { name: 'ok' }), await app.post('/things', { name: 'x' })]).toEqual([200, 400]);
    await app.close();
    expect(validatorSpecLoadingStats.bundlesSkipped).toBe(before);
  });

  it.each([
    ['names a component that is itself a $ref (the bundler points it at the target)', { $ref: '#/components/schemas/Alias' }, 400],
    ['names a component that does not exist (the bundler refuses it)', { $ref: '#/components/schemas/Missing' }, 599],
    ['points inside a component', { type: 'object', required: ['id'], properties: { id: { $ref: '#/components/schemas/Thing/properties/id' } } }, 400],
  ])('when a document %s, then it goes through the bundler as before', async (_case, thing, badStatus) => {
    const document = fixture(thing) as ReturnType<typeof fixture> & { components: { schemas: Record<string, unknown> } };
    document.components.schemas.Alias = { $ref: '#/components/schemas/Thing' };
    expect(alreadyBundled(document)).toBe(false);
    const before = validatorSpecLoadingStats.bundlesSkipped;
    const app = await serve(document);
    try {
      expect(await app.post('/things', { id: 'nope' })).toBe(badStatus);
    } finally {
      await app.close();
    }
    expect(validatorSpecLoadingStats.bundlesSkipped).toBe(before);
  });

  it('when an app asks for the dereferencing parser, then even a bundled document goes through it', async () => {
    const before = validatorSpecLoadingStats.bundlesSkipped;
    const app = await serve(fixture({ $ref: '#/components/schemas/Thing' }), { $refParser: { mode: 'dereference' } });
    expect([await app.post('/things', { id: 'thg_1' }), await app.post('/things', { id: 'nope' })]).toEqual([200, 400]);
    await app.close();
    expect(validatorSpecLoadingStats.bundlesSkipped).toBe(before);
  });

  it('when an OpenAPI 3.1 document starts after 3.0 ones, then it is checked against its own version of the schema', async () => {
    const app = await serve(fixture({ $ref: '#/components/schemas/Thing' }, '3.1.0'));
    expect([await app.post('/things', { id: 'thg_1' }), await app.post('/things', { id: 'nope' })]).toEqual([200, 400]);
    await app.close();
  });

  it('when a document breaks the OpenAPI schema after a good one started, then the shared checker still refuses it', async () => {
    const good = await serve(fixture({ $ref: '#/components/schemas/Thing' }));
    expect([await good.post('/things', { id: 'thg_1' }), await good.post('/things', { id: 'nope' })]).toEqual([200, 400]);
    await good.close();
    const broken = fixture({ $ref: '#/components/schemas/Thing' }) as Record<string, unknown>;
    broken.paths = { '/things': { post: { responses: 'none' } } };
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const app = await serve(broken);
    expect(await app.post('/things', { id: 'thg_1' })).toBe(599);
    await app.close();
    expect(errors.mock.calls.flat().join(' ')).toContain('validation errors');
    errors.mockRestore();
  });
});
