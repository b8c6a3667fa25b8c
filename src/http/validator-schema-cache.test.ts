import type { AddressInfo } from 'node:net';
import express from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { leanValidatorSchemas, validatorSchemaCacheStats } from './validator-schema-cache';

leanValidatorSchemas();

const problem = { description: 'refused', content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } } };
/** A Thing's tag is a component of its own: reached from an operation only through Thing. */
const thing = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: '^thg_' }, tag: { $ref: '#/components/schemas/Tag' } },
};

/** Two operations sharing one response (as the contract's 400/404/500 are shared), one with a body. */
function contract() {
  return {
    openapi: '3.0.3',
    info: { title: 'fixture', version: '1.0.0' },
    paths: {
      '/things': {
        post: {
          operationId: 'createThing',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          responses: {
            200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            409: { $ref: '#/components/responses/Refused' },
          },
        },
      },
      '/things/{thingId}': {
        get: {
          operationId: 'getThing',
          parameters: [{ name: 'thingId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            409: { $ref: '#/components/responses/Refused' },
          },
        },
      },
    },
    components: {
      responses: { Refused: problem },
      schemas: {
        Thing: thing,
        Tag: { type: 'string', pattern: '^tag_' },
        Problem: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', pattern: '^[0-9]{4}$' } } },
      },
    },
  };
}

/** A server answering what the test asks for (`x-answer`: status and JSON body), through request and response validation. */
async function serve(apiSpec: object) {
  const app = express();
  app.use(express.json());
  app.use(OpenApiValidator.middleware({ apiSpec: apiSpec as never, validateRequests: true, validateResponses: true }));
  app.use((req, res) => {
    const { status, body } = JSON.parse(String(req.headers['x-answer'])) as { status: number; body: unknown };
    res.status(status).json(body);
  });
  app.use((error: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(error.status ?? 599).json({ failed: error.status });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, answer: { status: number; body: unknown }, body?: unknown) => {
    const response = await fetch(url + path, {
      method,
      headers: { 'x-answer': JSON.stringify(answer), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return response.status;
  };
  return { call, close: () => new Promise((done) => server.close(done)) };
}

describe("the validator's schemas, compiled lean (validator-schema-cache)", () => {
  it('when two operations answer a shared response, then it is compiled once and still validated for each', async () => {
    const before = { ...validatorSchemaCacheStats };
    const server = await serve(contract());
    try {
      expect(await server.call('POST', '/things', { status: 409, body: { code: '4010' } }, { id: 'thg_1' })).toBe(409);
      expect(await server.call('GET', '/things/thg_1', { status: 409, body: { code: '4010' } })).toBe(409);
      expect(validatorSchemaCacheStats.sharedResponses).toBeGreaterThan(before.sharedResponses);
      expect(validatorSchemaCacheStats.pathsLeftOut).toBeGreaterThan(before.pathsLeftOut);
      expect(validatorSchemaCacheStats.componentsTrimmed).toBeGreaterThan(before.componentsTrimmed);
      // The preprocessor read the component schemas named by $ref without compiling them.
      expect(validatorSchemaCacheStats.refsResolvedUncompiled).toBeGreaterThan(before.refsResolvedUncompiled);
      // The shared response's schema still refuses what breaks it, on both operations.
      expect(await server.call('GET', '/things/thg_1', { status: 409, body: { code: 'oops' } })).toBe(500);
      expect(await server.call('POST', '/things', { status: 409, body: { code: '4010', extra: true } }, { id: 'thg_2' })).toBe(500);
      // Each operation's own schemas too: a bad answer, a bad request.
      expect(await server.call('GET', '/things/thg_1', { status: 200, body: { id: 'nope' } })).toBe(500);
      expect(await server.call('GET', '/things/thg_1', { status: 200, body: { id: 'thg_1' } })).toBe(200);
      expect(await server.call('POST', '/things', { status: 200, body: { id: 'thg_3' } }, { id: 'nope' })).toBe(400);
      // And the component reached only through another one.
      expect(await server.call('GET', '/things/thg_1', { status: 200, body: { id: 'thg_1', tag: 'tag_red' } })).toBe(200);
      expect(await server.call('GET', '/things/thg_1', { status: 200, body: { id: 'thg_1', tag: 'red' } })).toBe(500);
      expect(await server.call('POST', '/things', { status: 200, body: { id: 'thg_4' } }, { id: 'thg_4', tag: 'red' })).toBe(400);
    } finally {
      await server.close();
    }
  });

  it('when a $ref of the contract points into its paths, then schemas keep them and that $ref still resolves', async () => {
    const referring = contract();
    referring.paths['/things'].post.requestBody.content['application/json'].schema = {
      ...thing,
      properties: { id: { type: 'string', pattern: '^thg_' } },
    } as never;
    const id = { $ref: '#/paths/~1things/post/requestBody/content/application~1json/schema/properties/id' };
    (referring.paths['/things/{thingId}'].get.responses as Record<string, unknown>)[200] = {
      description: 'ok',
      content: { 'application/json': { schema: { type: 'object', required: ['id'], properties: { id } } } },
    };
    const before = { ...validatorSchemaCacheStats };
    const server = await serve(referring);
    try {
      expect(await server.call('GET', '/things/thg_1', { status: 200, body: { id: 'thg_1' } })).toBe(200);
      expect(await server.call('GET', '/things/thg_1', { status: 200, body: { id: 'nope' } })).toBe(500);
      const { sharedResponses, pathsLeftOut, componentsTrimmed } = validatorSchemaCacheStats;
      expect({ sharedResponses, pathsLeftOut, componentsTrimmed }).toEqual({
        sharedResponses: before.sharedResponses,
        pathsLeftOut: before.pathsLeftOut,
        componentsTrimmed: before.componentsTrimmed,
      });
    } finally {
      await server.close();
    }
  });

  it('when a $ref points inside a component schema, then the components it keeps include that schema and the $ref still resolves', async () => {
    const inside = contract();
    (inside.paths['/things/{thingId}'].get.responses as Record<string, unknown>)[200] = {
      description: 'ok',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['id'],
            properties: { id: { $ref: '#/components/schemas/Thing/properties/id' }, like: { $ref: '#/components/schemas/Thing' } },
          },
        },
      },
    };
    const before = { ...validatorSchemaCacheStats };
    const server = await serve(inside);
    try {
      expect(await server.call('GET', '/things/thg_1', { status: 200, body: { id: 'thg_1' } })).toBe(200);
      expect(await server.call('GET', '/things/thg_1', { status: 200, body: { id: 'nope' } })).toBe(500);
      // Tag, reached only through Thing's own $ref.
      expect(await server.call('GET', '/things/thg_1', { status: 200, body: { id: 'thg_1', like: { id: 'thg_2', tag: 'tag_red' } } })).toBe(200);
      expect(await server.call('GET', '/things/thg_1', { status: 200, body: { id: 'thg_1', like: { id: 'thg_2', tag: 'red' } } })).toBe(500);
      expect(await server.call('POST', '/things', { status: 200, body: { id: 'thg_3' } }, { id: 'nope' })).toBe(400);
      expect(validatorSchemaCacheStats.componentsTrimmed).toBeGreaterThan(before.componentsTrimmed);
    } finally {
      await server.close();
    }
  });

  it('when a document has a discriminator, then the preprocessor compiles what it resolves, as without the patch', async () => {
    // A cat's meow requires its read-only id: the validator checks the variant as compiled before it drops read-only properties from
    // `required`, so a cat without it is refused (a quirk of the library, kept: skipping the compile here let it through).
    const meow = { type: 'object', required: ['id', 'sound'], properties: { id: { type: 'string', readOnly: true }, sound: { type: 'string' } } };
    const pets = contract() as unknown as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    pets.paths['/pets'] = {
      post: {
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } },
        responses: { 204: { description: 'ok' } },
      },
    };
    Object.assign(pets.components.schemas, {
      Meow: meow,
      Cat: { type: 'object', required: ['petType', 'meow'], properties: { petType: { type: 'string' }, meow: { $ref: '#/components/schemas/Meow' } } },
      Dog: { type: 'object', required: ['petType'], properties: { petType: { type: 'string' }, bark: { type: 'string', maxLength: 3 } } },
      Pet: {
        oneOf: [{ $ref: '#/components/schemas/Cat' }, { $ref: '#/components/schemas/Dog' }],
        discriminator: { propertyName: 'petType', mapping: { cat: '#/components/schemas/Cat', dog: '#/components/schemas/Dog' } },
      },
    });
    const before = validatorSchemaCacheStats.refsResolvedUncompiled;
    const server = await serve(pets);
    try {
      const pet = (body: unknown) => server.call('POST', '/pets', { status: 204, body: undefined }, body);
      expect([
        await pet({ petType: 'cat', meow: { sound: 'x' } }),
        await pet({ petType: 'dog', bark: 'wo' }),
        await pet({ petType: 'dog', bark: 'woof' }),
      ]).toEqual([400, 204, 400]);
      expect(validatorSchemaCacheStats.refsResolvedUncompiled).toBe(before);
    } finally {
      await server.close();
    }
  });
});
