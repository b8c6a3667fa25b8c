/**
 * Every example in the contract goes through the validator configured as the server configures
 * it: request examples must be accepted, response examples must pass response validation, and
 * every code an example shows must exist in the catalog with the same French message.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { codeCatalog } from '../generated/codes';
import contract from '../generated/openapi.json';
import { validatorOptions } from '../src/app';
import { exampleHeaders, examplePath, exampleQuery, findOperation, resolve, type Json } from './support/contract';

interface ResponseExample {
  operationId: string;
  method: string;
  path: string;
  status: number;
  name: string;
  value: Json;
}

const operations = Object.entries(contract.paths as Json).flatMap(([path, item]) =>
  Object.entries(item as Json).map(([method, operation]) => ({ path, method, operation: operation as Json })),
);

const requestExamples = operations.flatMap(({ path, method, operation }) =>
  Object.entries((resolve(operation.requestBody ?? {}).content ?? {}) as Json).flatMap(([mediaType, media]) =>
    Object.entries(((media as Json).examples ?? {}) as Json).map(([name, example]) => ({
      operationId: operation.operationId as string,
      method,
      path,
      mediaType,
      name,
      value: resolve(example as Json).value as Json,
    })),
  ),
);

/** Every response example of every operation, keyed by what decides its validation. */
const everyResponseExample: (readonly [key: string, example: ResponseExample])[] = operations.flatMap(({ path, method, operation }) =>
  Object.entries(operation.responses as Json).flatMap(([status, response]) => {
    const media = (resolve(response as Json).content?.['application/json'] ?? {}) as Json;
    return Object.entries((media.examples ?? {}) as Json).map(
      ([name, example]) =>
        [
          JSON.stringify([status, media.schema, name, example]),
          { operationId: operation.operationId as string, method, path, status: Number(status), name, value: resolve(example as Json).value as Json },
        ] as const,
    );
  }),
);

/**
 * Each example checked once: a shared response (components/responses) or a shared example is
 * referenced by dozens of operations, and the validator's verdict depends only on the status,
 * the schema and the example, so one operation stands for all that share the three.
 */
const responseExamples: ResponseExample[] = [...new Map(everyResponseExample).values()];

let server: Server;
let baseUrl: string;
const EXAMPLE_HEADER = 'x-example';

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  const acceptAnyCredential = { oauth2: async () => true, basicAuth: async () => true };
  app.use(OpenApiValidator.middleware({ ...validatorOptions({ validateResponses: true }, acceptAnyCredential), validateSecurity: false }));
  app.use((req, res) => {
    const wanted = responseExamples[Number(req.headers[EXAMPLE_HEADER])];
    if (wanted) res.status(wanted.status).json(wanted.value);
    else res.status(204).end();
  });
  app.use((error: { status?: number; message: string; errors?: unknown }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(599).json({ status: error.status, message: error.message, errors: error.errors });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((done) => server.close(done)));

it('finds examples for every operation', () => {
  const withExamples = new Set(
    everyResponseExample
      .map(([, example]) => example)
      .filter((example) => example.status === 200)
      .map((example) => example.operationId),
  );
  const jsonOperations = operations.filter(({ operation }) => resolve(operation.responses['200']).content?.['application/json']);
  expect(jsonOperations.map(({ operation }) => operation.operationId).filter((id) => !withExamples.has(id))).toEqual([]);
});

/** A request the validator accepts for the operation: its header examples and its first request example, if it takes a body. */
function validRequest(operationId: string, headers: Record<string, string> = {}): RequestInit {
  const example = requestExamples.find((candidate) => candidate.operationId === operationId);
  if (!example) return { headers: { ...exampleHeaders(findOperation(operationId)), ...headers } };
  const body = example.mediaType === 'application/json' ? JSON.stringify(example.value) : new URLSearchParams(example.value).toString();
  return { headers: { ...exampleHeaders(findOperation(operationId)), ...headers, 'content-type': example.mediaType }, body };
}

describe.each(requestExamples.map((example) => [`${example.operationId} request example ${example.name}`, example] as const))('%s', (_title, example) => {
  it('is accepted by the request validator', async () => {
    const body = example.mediaType === 'application/json' ? JSON.stringify(example.value) : new URLSearchParams(example.value).toString();
    const response = await fetch(baseUrl + examplePath(findOperation(example.operationId)) + exampleQuery(findOperation(example.operationId)), {
      method: example.method.toUpperCase(),
      headers: { ...exampleHeaders(findOperation(example.operationId)), 'content-type': example.mediaType },
      body,
    });
    expect({ status: response.status, body: response.status === 204 ? null : await response.json() }).toEqual({ status: 204, body: null });
  });
});

describe.each(responseExamples.map((example, index) => [`${example.operationId} ${example.status} example ${example.name}`, example, index] as const))(
  '%s',
  (_title, example, index) => {
    it('passes response validation', async () => {
      const response = await fetch(baseUrl + examplePath(findOperation(example.operationId)) + exampleQuery(findOperation(example.operationId)), {
        method: example.method.toUpperCase(),
        ...validRequest(example.operationId, { [EXAMPLE_HEADER]: String(index) }),
      });
      expect({ status: response.status, body: await response.json() }).toEqual({ status: example.status, body: example.value });
    });

    it('shows a code of the catalog with its status and French message', () => {
      if (typeof example.value.code !== 'string') return;
      const entries = Object.values(codeCatalog).filter(
        (entry) => entry.code === example.value.code && (entry.status === example.status || ('oauthStatus' in entry && entry.oauthStatus === example.status)),
      );
      expect(entries.length).toBeGreaterThan(0);
      if (example.value.message !== undefined) expect(entries.map((entry) => entry.message.fr)).toContain(example.value.message);
    });
  },
);
