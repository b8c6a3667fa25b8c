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
        responses: { 200: { $ref: '#/components/responses/ThingOk' }, 406: { description: 'not acceptable' } },
      },
      get: { operationId: 'getThing', responses: { 200: { $ref: '#/components/responses/ThingOk' }, 406: { description: 'not acceptable' } } },
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
            schema: {
              allOf: [
                { $ref: '#/components/schemas/SuccessEnvelope' },
                { type: 'object', required: ['data'], properties: { data: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } },
              ],
            },
          },
        },
      },
      Limited: { description: 'slow down', headers: { 'Retry-After': { schema: { type: 'integer' } } } },
    },
    schemas: {
      SuccessEnvelope: { type: 'object', required: ['success'], properties: { success: { type: 'boolean' } } },
      Amount: { type: 'object', properties: { value: { type: 'integer', minimum: -100, maximum: 100 }, unit: { type: 'string' } } },
      Timestamp: { type: 'string', format: 'date-time' },
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

  it('when an envelope operation declares no 406, then generation fails', () => {
    const document = structuredClone(fixture) as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    delete document.paths['/things/{thingId}'].get.responses['406'];
    expect(() => collectOperations(document)).toThrow(/GET \/things\/\{thingId\} needs a 406 response/);
  });

  describe('when an operation serves text/csv', () => {
    const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const listing = (columns: unknown[], fileName = 'things_{from:start}', media: string[] = ['text/csv']) => {
      const document = structuredClone(fixture) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a fixture reshaped per case
      document.paths['/things'] = {
        get: {
          operationId: 'listThings',
          parameters: [{ name: 'from', in: 'query', schema: { type: 'string' } }],
          responses: {
            406: { description: 'not acceptable' },
            200: {
              description: 'ok',
              content: {
                'application/json': {
                  schema: {
                    allOf: [
                      { $ref: '#/components/schemas/SuccessEnvelope' },
                      {
                        type: 'object',
                        properties: {
                          data: {
                            type: 'object',
                            properties: {
                              items: {
                                type: 'array',
                                items: {
                                  type: 'object',
                                  properties: {
                                    id: { type: 'string' },
                                    amount: { $ref: '#/components/schemas/Amount' },
                                    at: { allOf: [{ $ref: '#/components/schemas/Timestamp' }], description: 'when' },
                                    count: { type: 'integer' },
                                    paid: { type: 'boolean' },
                                  },
                                },
                              },
                            },
                          },
                        },
                      },
                    ],
                  },
                },
                ...(media.includes('text/csv')
                  ? { 'text/csv': { schema: { type: 'string' }, 'x-csv-rows': 'items', 'x-csv-file-name': fileName, 'x-csv-columns': columns } }
                  : {}),
                ...(media.includes(XLSX) ? { [XLSX]: { schema: { type: 'string', format: 'binary' } } } : {}),
              },
            },
          },
        },
      };
      return () => collectOperations(document).find((row) => row.operationId === 'listThings')?.csv;
    };
    const column = (path: string, description = 'what it is') => ({ name: path, path, description });

    it('with columns naming scalars of a row, then its row carries the rows, the file name and the columns in their order, each typed by its schema', () => {
      expect(listing([column('amount.value'), column('id'), column('at'), column('count'), column('paid'), column('amount.unit')])()).toEqual({
        rows: 'items',
        fileName: 'things_{from:start}',
        columns: [
          { name: 'amount.value', path: 'amount.value', type: 'amount', unit: 'amount.unit' },
          { name: 'id', path: 'id', type: 'text' },
          { name: 'at', path: 'at', type: 'date-time' },
          { name: 'count', path: 'count', type: 'number' },
          { name: 'paid', path: 'paid', type: 'boolean' },
          { name: 'amount.unit', path: 'amount.unit', type: 'text' },
        ],
        xlsx: false,
      });
      expect(collectOperations(fixture).find((row) => row.operationId === 'getThing')?.csv).toBeNull();
    });

    it('and XLSX, then its row says so; XLSX without text/csv (whose columns the workbook has) fails generation', () => {
      expect(listing([column('id')], undefined, ['text/csv', XLSX])()).toEqual(expect.objectContaining({ xlsx: true }));
      expect(listing([column('id')], undefined, [XLSX])).toThrow(/serves XLSX: it needs text\/csv too/);
    });

    it.each([
      ['a path that is not in the row', [column('amount.cents')], undefined, /names amount\.cents, not a scalar/],
      ['a path naming an object', [column('amount')], undefined, /names amount, not a scalar/],
      ['a column without a description', [column('id', ' ')], undefined, /needs a name, a path and a description/],
      ['a column declared twice', [column('id'), column('id')], undefined, /declared twice/],
      ['no columns', [], undefined, /needs x-csv-rows, x-csv-file-name and x-csv-columns/],
      ['a file name naming an unknown parameter', [column('id')], 'things_{day}', /names day, not a parameter/],
    ])('with %s, then generation fails', (_title, columns, fileName, message) => {
      expect(listing(columns, fileName)).toThrow(message);
    });
  });

  describe('when an operation is deprecated', () => {
    const deprecating = (extension: unknown, deprecated = true) => {
      const document = structuredClone(fixture);
      Object.assign(document.paths['/things/{thingId}'].get, { tags: ['things'], deprecated, 'x-deprecation': extension });
      return () => collectOperations(document).find((row) => row.operationId === 'getThing')?.deprecation;
    };

    it('with x-deprecation, then its row carries the Deprecation seconds, the Sunset HTTP-date and its /docs section', () => {
      expect(deprecating({ since: '2026-12-02T00:00:00Z', sunset: '2027-06-30T23:59:59Z' })()).toEqual({
        since: 1796169600,
        sunset: 'Wed, 30 Jun 2027 23:59:59 GMT',
        link: '/docs#/things/getthing',
      });
      expect(collectOperations(fixture).find((row) => row.operationId === 'getThing')?.deprecation).toBeNull();
    });

    it.each([
      ['without x-deprecation', undefined, true, /needs x-deprecation/],
      ['with a sunset that is not a date', { since: '2026-12-02T00:00:00Z', sunset: 'soon' }, true, /needs x-deprecation/],
      ['with less than 6 months of notice', { since: '2026-12-02T00:00:00Z', sunset: '2027-06-01T23:59:59Z' }, true, /at least 6 months/],
      [
        'x-deprecation on an operation that is not deprecated',
        { since: '2026-12-02T00:00:00Z', sunset: '2027-06-30T23:59:59Z' },
        false,
        /not deprecated: true/,
      ],
    ])('%s, then generation fails', (_name, extension, deprecated, message) => {
      expect(deprecating(extension, deprecated)).toThrow(message);
    });
  });

  describe('operator rights', () => {
    /** The fixture with its path under /core/ and a catalog of two rights. */
    const core = (right: unknown, path = '/core/things/{thingId}') => {
      const document: Record<string, unknown> = structuredClone(fixture);
      const paths = document.paths as Record<string, Record<string, Record<string, unknown>>>;
      const item = paths['/things/{thingId}'];
      for (const method of ['get', 'post']) item[method]['x-operator-right'] = right;
      delete paths['/things/{thingId}'];
      paths[path] = item;
      document['x-operator-rights'] = { 'things.read': 'Read things.', 'things.write': 'Write things.' };
      return document;
    };

    it('when every Core operation names a right of the catalog, then its row carries it and the table lists the catalog', () => {
      const document = core('things.read');
      expect(collectOperations(document).map((row) => row.operatorRight)).toEqual(['things.read', 'things.read']);
      expect(renderOperations(document, 'notice')).toContain('"things.write": "Write things."');
    });

    it('when a Core operation declares no right, then generation fails naming it', () => {
      expect(() => collectOperations(core(undefined))).toThrow(/GET \/core\/things\/\{thingId\} is a Core operation: it needs x-operator-right/);
    });

    it('when a Core operation names a right the catalog does not define, then generation fails', () => {
      expect(() => collectOperations(core('things.delete'))).toThrow(/x-operator-right things.delete is not in the root x-operator-rights catalog/);
    });

    it('when an operation outside the Core API names a right, then generation fails', () => {
      expect(() => collectOperations(core('things.read', '/partner/things/{thingId}'))).toThrow(/not a Core operation/);
    });

    it('when a Core operation declares x-operator-scoped, then its row says so; anything but true, or outside the Core API, fails', () => {
      const scoped = (value: unknown, path = '/core/things/{thingId}') => {
        const document = core('things.read', path);
        const item = (document.paths as Record<string, Record<string, Record<string, unknown>>>)[path];
        item.get['x-operator-scoped'] = value;
        if (!path.startsWith('/core/')) for (const operation of Object.values(item)) delete operation['x-operator-right'];
        return document;
      };
      expect(collectOperations(scoped(true)).map((row) => [row.operationId, row.operatorScoped])).toEqual([
        ['createThing', false],
        ['getThing', true],
      ]);
      expect(() => collectOperations(scoped('yes'))).toThrow(/x-operator-scoped is true when present/);
      expect(() => collectOperations(scoped(true, '/partner/things/{thingId}'))).toThrow(/not a Core operation: it cannot declare x-operator-scoped/);
    });

    it('when a Core operation declares x-operator-step-up, then its row carries the age; a malformed one fails', () => {
      const stepUp = (value: unknown) => {
        const document = core('things.read');
        (document.paths as Record<string, Record<string, Record<string, unknown>>>)['/core/things/{thingId}'].get['x-operator-step-up'] = value;
        return document;
      };
      expect(collectOperations(stepUp({ maxAgeSeconds: 300 })).map((row) => row.operatorStepUp)).toEqual([null, { maxAgeSeconds: 300 }]);
      for (const malformed of [{ maxAgeSeconds: 0 }, { maxAgeSeconds: '300' }, { maxAgeSeconds: 300, acr: 'x' }, true]) {
        expect(() => collectOperations(stepUp(malformed))).toThrow(/x-operator-step-up is \{ maxAgeSeconds \}/);
      }
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
      execFileSync(
        join(root, 'node_modules/.bin/openapi-typescript'),
        [join(dir, 'openapi.json'), '-o', join(dir, 'schema.ts'), '--redocly', join(dir, 'redocly.yaml')],
        { stdio: 'pipe' },
      );
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
          '  getThing: async (_context, input) => ({ id: input.path.thingId }),',
          '};',
        ].join('\n'),
      );
      const program = ts.createProgram([join(dir, 'check.ts')], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        skipLibCheck: true,
        types: [],
      });
      const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      expect(problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
