import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import contract from '../../generated/openapi.json';
import { leanSpecLoading, selfContained, validatorSpecLoadingStats } from './validator-spec-loading';

leanSpecLoading();

/** A server validating requests against `apiSpec` and answering 200 `{}`; errors answer their status (599 without). */
async function serve(apiSpec: object) {
  const app = express();
  app.use(express.json());
  app.use(OpenApiValidator.middleware({ apiSpec: apiSpec as never, validateRequests: true, validateResponses: false, validateSecurity: false, ignoreUndocumented: true }));
  app.use((_req, res) => res.json({}));
  app.use((error: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(error.status ?? 599).json({});
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = async (path: string, body: unknown) => (await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;
  return { post, close: () => new Promise((done) => server.close(done)) };
}

/** One operation taking a Thing, whose schema is `thing` (an object, or a `$ref`). */
function fixture(thing: object) {
  return {
    openapi: '3.0.3',
    info: { title: 'fixture', version: '1.0.0' },
    paths: { '/things': { post: { requestBody: { required: true, content: { 'application/json': { schema: thing } } }, responses: { 200: { description: 'ok' } } } } },
    components: { schemas: { Thing: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^thg_' } } } } },
  };
}

describe('the validator start-up patch (validator-spec-loading.ts)', () => {
  it('when the bundler is given the contract, then it gives the contract back unchanged: taking it as it is changes nothing', async () => {
    const refParser = createRequire(require.resolve('express-openapi-validator'))('@apidevtools/json-schema-ref-parser') as { bundle(document: object): Promise<unknown> };
    expect(selfContained(contract)).toBe(true);
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
