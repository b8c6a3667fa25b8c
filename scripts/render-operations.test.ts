import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { collectOperations, renderOperations, responseHeaderNames } from './render-operations';

/** A small contract in the project's shape: the only place yet where an operation declares a header parameter. */
const fixture = {
  openapi: '3.0.3',
  info: { title: 'fixture', version: '1.0.0' },
  paths: {
    '/things/{thingId}': {
      parameters: [{ name: 'thingId', in: 'path', required: true, schema: { type: 'string' } }],
      post: {
        operationId: 'createThing',
        parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }, { name: 'X-Trace', in: 'header', schema: { type: 'string' } }],
        responses: { 200: { $ref: '#/components/responses/ThingOk' } },
      },
      get: { operationId: 'getThing', responses: { 200: { $ref: '#/components/responses/ThingOk' } } },
    },
  },
  components: {
    securitySchemes: { oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: {} } } } },
    parameters: { IdempotencyKey: { name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string' } } },
    headers: { XRequestId: { schema: { type: 'string' } } },
    responses: {
      ThingOk: {
        description: 'ok',
        headers: { 'X-Request-Id': { $ref: '#/components/headers/XRequestId' } },
        content: {
          'application/json': {
            schema: { allOf: [{ $ref: '#/components/schemas/SuccessEnvelope' }, { type: 'object', required: ['data'], properties: { data: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } }] },
          },
        },
      },
      Limited: { description: 'slow down', headers: { 'Retry-After': { schema: { type: 'integer' } } } },
    },
    schemas: {
      SuccessEnvelope: { type: 'object', required: ['success'], properties: { success: { type: 'boolean' } } },
      Amount: { type: 'object', properties: { value: { type: 'integer', minimum: -100, maximum: 100 } } },
    },
  },
};

describe('the operation table (scripts/render-operations)', () => {
  it('when an operation declares header parameters (by $ref or inline), then its row lists their names as declared', () => {
    const rows = collectOperations(fixture);
    expect(rows.find((row) => row.operationId === 'createThing')?.headers).toEqual(['Idempotency-Key', 'X-Trace']);
    expect(rows.find((row) => row.operationId === 'getThing')?.headers).toEqual([]);
  });

  it('when responses declare headers (in paths or components), then responseHeaderNames lists each once', () => {
    expect(responseHeaderNames(fixture)).toEqual(['Retry-After', 'X-Request-Id']);
  });

  describe('when an operation is deprecated', () => {
    const deprecating = (extension: unknown, deprecated = true) => {
      const document = structuredClone(fixture);
      Object.assign(document.paths['/things/{thingId}'].get, { tags: ['things'], deprecated, 'x-deprecation': extension });
      return () => collectOperations(document).find((row) => row.operationId === 'getThing')?.deprecation;
    };

    it('with x-deprecation, then its row carries the Deprecation seconds, the Sunset HTTP-date and its /docs section', () => {
      expect(deprecating({ since: '2026-12-02T00:00:00Z', sunset: '2027-06-30T23:59:59Z' })()).toEqual({
        since: 1796169600, sunset: 'Wed, 30 Jun 2027 23:59:59 GMT', link: '/docs#/things/getthing',
      });
      expect(collectOperations(fixture).find((row) => row.operationId === 'getThing')?.deprecation).toBeNull();
    });

    it.each([
      ['without x-deprecation', undefined, true, /needs x-deprecation/],
      ['with a sunset that is not a date', { since: '2026-12-02T00:00:00Z', sunset: 'soon' }, true, /needs x-deprecation/],
      ['with less than 6 months of notice', { since: '2026-12-02T00:00:00Z', sunset: '2027-06-01T23:59:59Z' }, true, /at least 6 months/],
      ['x-deprecation on an operation that is not deprecated', { since: '2026-12-02T00:00:00Z', sunset: '2027-06-30T23:59:59Z' }, false, /not deprecated: true/],
    ])('%s, then generation fails', (_name, extension, deprecated, message) => {
      expect(deprecating(extension, deprecated)).toThrow(message);
    });
  });

  it('when the Amount schema has no maximum, then generation fails (contract first)', () => {
    const unbounded = structuredClone(fixture);
    delete (unbounded.components.schemas.Amount.properties.value as { maximum?: number }).maximum;
    expect(() => renderOperations(unbounded, 'notice')).toThrow(/minimum and maximum/);
  });

  it('when the generated files are compiled, then handler input.header is typed from the declared header parameters', () => {
    const root = resolve(__dirname, '..');
    const dir = mkdtempSync(join(tmpdir(), 'cynod-render-operations-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(fixture));
      writeFileSync(join(dir, 'redocly.yaml'), 'extends: []\n');
      execFileSync(join(root, 'node_modules/.bin/openapi-typescript'), [join(dir, 'openapi.json'), '-o', join(dir, 'schema.ts'), '--redocly', join(dir, 'redocly.yaml')], { stdio: 'pipe' });
      writeFileSync(join(dir, 'operations.ts'), renderOperations(fixture, 'fixture'));
      writeFileSync(
        join(dir, 'check.ts'),
        [
          "import { operationTable, requestHeaderNames, type Handlers, type OperationInput } from './operations';",
          "export const key: string = ({} as OperationInput<'createThing'>).header['Idempotency-Key'];",
          "export const trace: string | undefined = ({} as OperationInput<'createThing'>).header['X-Trace'];",
          '// @ts-expect-error a header the operation does not declare is not in its input',
          "export const other = ({} as OperationInput<'createThing'>).header['X-Other'];",
          "export const none: never = ({} as OperationInput<'getThing'>).header;",
          "export const names: readonly ['Idempotency-Key', 'X-Trace'] = operationTable.createThing.headers;",
          "export const all: readonly ['Idempotency-Key', 'X-Trace'] = requestHeaderNames;",
          'export const handlers: Handlers<null> = {',
          "  createThing: async (_context, input) => ({ id: `${input.path.thingId}:${input.header['Idempotency-Key']}` }),",
          "  getThing: async (_context, input) => ({ id: input.path.thingId }),",
          '};',
        ].join('\n'),
      );
      const program = ts.createProgram([join(dir, 'check.ts')], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true, types: [] });
      const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      expect(problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
