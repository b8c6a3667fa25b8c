/**
 * Renders generated/operations.ts (the operation table, the Handlers type, the header names
 * and amount bounds the contract declares) and generated/codes.ts (the result-code catalog)
 * from the bundled contract.
 */
import { followRef } from './contract-ref';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface OperationRow {
  operationId: string;
  method: string;
  path: string;
  security: Record<string, string[]>[];
  scopes: string[];
  /** The right a back-office operator needs for it (Core operations only; x-operator-right). */
  operatorRight: string | null;
  /** The operation answers an operator with a narrower scope of authority than the issuer with only what lies within it (x-operator-scoped). */
  operatorScoped: boolean;
  /** An operator must have authenticated strongly within this many seconds (x-operator-step-up), or null. */
  operatorStepUp: { maxAgeSeconds: number } | null;
  envelope: boolean;
  /** The operation's header parameters (path-level and its own), names as declared. */
  headers: string[];
  /** Its 200 answer is also served as CSV (text/csv), for `Accept: text/csv`: how, from the media type's extensions. */
  csv: CsvExport | null;
  /** The contract deprecates it (`deprecated: true` with `x-deprecation`): what its answers announce. */
  deprecation: Deprecation | null;
}

/**
 * A deprecated operation's announcement (RFC 9745 Deprecation, RFC 8594 Sunset): since when
 * it is deprecated, the time after which it may be removed, and the page that says what
 * replaces it (the operation's own section of /docs).
 */
export interface Deprecation {
  /** Seconds since the epoch, as the Deprecation header gives it (`@<seconds>`). */
  since: number;
  /** An HTTP-date, as the Sunset header gives it. */
  sunset: string;
  link: string;
}

/** The deprecation policy (docs/contract-stability.md): an operation stays for at least 6 months after it is deprecated. */
const MIN_NOTICE_MONTHS = 6;

/**
 * The operation's `x-deprecation` ({ since, sunset }, date-times), required exactly when it is
 * `deprecated: true`, its sunset at least MIN_NOTICE_MONTHS after its deprecation.
 */
function deprecationOf(operation: Json, where: string): Deprecation | null {
  const extension = operation['x-deprecation'] as { since?: unknown; sunset?: unknown } | undefined;
  if (operation.deprecated !== true) {
    if (extension) throw new Error(`${where} has x-deprecation but is not deprecated: true`);
    return null;
  }
  const since = typeof extension?.since === 'string' ? Date.parse(extension.since) : NaN;
  const sunset = typeof extension?.sunset === 'string' ? Date.parse(extension.sunset) : NaN;
  if (Number.isNaN(since) || Number.isNaN(sunset))
    throw new Error(`${where} is deprecated: it needs x-deprecation: { since: <date-time>, sunset: <date-time> }`);
  const earliest = new Date(since);
  earliest.setUTCMonth(earliest.getUTCMonth() + MIN_NOTICE_MONTHS);
  if (sunset < earliest.getTime()) throw new Error(`${where}: x-deprecation.sunset must be at least ${MIN_NOTICE_MONTHS} months after its since`);
  const tag = ((operation.tags as string[] | undefined) ?? [])[0];
  if (!tag) throw new Error(`${where} is deprecated: it needs a tag (its /docs section is /<tag>/<operationid>)`);
  // The operation's section of the Redoc page (the page rewrites older anchors to this form).
  return { since: Math.floor(since / 1000), sunset: new Date(sunset).toUTCString(), link: `/docs#/${tag}/${String(operation.operationId).toLowerCase()}` };
}

/** The operator rights the contract defines (root x-operator-rights: right → description). */
export function operatorRightCatalog(document: Json): Record<string, string> {
  const catalog = (document['x-operator-rights'] ?? {}) as Record<string, unknown>;
  for (const [right, description] of Object.entries(catalog)) {
    if (!/^[a-z][a-z-]*(\.[a-z][a-z-]*)+$/.test(right) || typeof description !== 'string')
      throw new Error(`x-operator-rights.${right} needs a dotted lower-case name and a description`);
  }
  return catalog as Record<string, string>;
}

/**
 * The operator right of an operation: every Core operation (path under /core/) names exactly
 * one right of the catalog with `x-operator-right`; no other operation names one (operator
 * tokens are accepted on Core operations only).
 */
function operatorRightOf(operation: Json, path: string, rights: Record<string, string>, where: string): string | null {
  const right = operation['x-operator-right'];
  if (!path.startsWith('/core/')) {
    if (right !== undefined) throw new Error(`${where} is not a Core operation: it cannot declare x-operator-right`);
    return null;
  }
  if (typeof right !== 'string') throw new Error(`${where} is a Core operation: it needs x-operator-right naming the right an operator needs for it`);
  if (!Object.hasOwn(rights, right)) throw new Error(`${where}: x-operator-right ${right} is not in the root x-operator-rights catalog`);
  return right;
}

/**
 * Whether a Core operation serves operators whose grants cover only some networks, client
 * companies or service points by keeping its answer within them (`x-operator-scoped: true`,
 * Core operations only). Without it, such an operator is refused unless the operation's path
 * names a resource within its scope.
 */
function operatorScopedOf(operation: Json, path: string, where: string): boolean {
  const scoped = operation['x-operator-scoped'];
  if (scoped === undefined) return false;
  if (scoped !== true) throw new Error(`${where}: x-operator-scoped is true when present`);
  if (!path.startsWith('/core/')) throw new Error(`${where} is not a Core operation: it cannot declare x-operator-scoped`);
  return true;
}

/**
 * The recent strong authentication a Core operation demands of an operator
 * (`x-operator-step-up: { maxAgeSeconds }`, 1 to 86400), or null.
 */
function operatorStepUpOf(operation: Json, path: string, where: string): { maxAgeSeconds: number } | null {
  const stepUp = operation['x-operator-step-up'] as Json | undefined;
  if (stepUp === undefined) return null;
  if (!path.startsWith('/core/')) throw new Error(`${where} is not a Core operation: it cannot declare x-operator-step-up`);
  const maxAgeSeconds = stepUp?.maxAgeSeconds;
  if (
    Object.keys(stepUp ?? {}).join() !== 'maxAgeSeconds' ||
    !Number.isInteger(maxAgeSeconds) ||
    (maxAgeSeconds as number) < 1 ||
    (maxAgeSeconds as number) > 86400
  ) {
    throw new Error(`${where}: x-operator-step-up is { maxAgeSeconds } with an integer from 1 to 86400`);
  }
  return { maxAgeSeconds: maxAgeSeconds as number };
}

/** An operation is an envelope operation when its 200 JSON answer is built on SuccessEnvelope. */
function isEnvelope(document: Json, operation: Json): boolean {
  const ok = followRef<Json>(document, (operation.responses as Json)?.['200']);
  const schema = ((ok?.content as Json)?.['application/json'] as Json)?.schema as Json | undefined;
  const parts = (followRef<Json>(document, schema)?.allOf as Json[] | undefined) ?? [];
  return parts.some((part) => part.$ref === '#/components/schemas/SuccessEnvelope');
}

/** The media type of an Excel workbook (Office Open XML), served beside text/csv where the contract declares it. */
const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * What a column holds, from the JSON row's schema: an instant (`format: date-time`), a day
 * (`format: date`), a number, a yes/no, an amount's value (the `value` of an object with
 * `value` and `unit`, with the dotted path of its unit: a spreadsheet shows it at the unit's
 * scale), text, or a list (an array of the row: its items as one JSON text, see `listCell` in
 * src/http/csv.ts; an array of objects names the fields each item keeps, `x-csv-columns` `items`).
 */
type ColumnType = 'text' | 'number' | 'boolean' | 'date-time' | 'date' | 'amount' | 'list';

/**
 * How an operation's 200 answer is exported as CSV, from its `text/csv` media type: the rows
 * (`x-csv-rows`, an array property of the answer's `data`), the file name's template
 * (`x-csv-file-name`, `{parameter}` or `{parameter:when absent}` placeholders) and the fixed
 * columns (`x-csv-columns`: name, dotted path in a row, description), in the order they are read,
 * each with its type. `xlsx`: the same rows and columns are also served as an Excel workbook
 * (the 200 answer declares the XLSX media type too).
 */
export interface CsvExport {
  rows: string;
  fileName: string;
  columns: { name: string; path: string; type: ColumnType; unit?: string; items?: string[] }[];
  xlsx: boolean;
}

/**
 * A list column (its path names an array of the row): an array of scalars as it is, an array of
 * objects with the dotted paths of the scalars each item keeps (`items`, in order, each a scalar
 * of the item). Anything else is an error of the contract.
 */
function listColumn(document: Json, target: Json, items: unknown, where: string): { type: 'list'; items?: string[] } {
  const item = followRef<Json>(document, target.items);
  const scalar = (schema: Json | undefined) => schema !== undefined && schema.type !== 'object' && schema.type !== 'array';
  if (items === undefined) {
    if (!scalar(flattened(document, item))) throw new Error(`${where} is a list of objects: name the fields each item keeps (items)`);
    return { type: 'list' };
  }
  if (!Array.isArray(items) || items.length === 0 || items.some((path) => typeof path !== 'string'))
    throw new Error(`${where}: items must be the dotted paths of the fields each item keeps`);
  for (const path of items as string[]) {
    const field = schemaAt(document, item, path.split('.'));
    if (!field || !scalar(flattened(document, field))) throw new Error(`${where}: items names ${path}, not a scalar of an item`);
  }
  return { type: 'list', items: items as string[] };
}

/** The schema a dotted path names inside `schema` (through $ref, allOf and properties), or undefined. */
function schemaAt(document: Json, schema: unknown, path: string[]): Json | undefined {
  let current: Json | undefined = followRef<Json>(document, schema);
  for (const key of path) {
    const parts: Json[] = [current ?? {}, ...(((current?.allOf as unknown[] | undefined) ?? []).map((part) => followRef<Json>(document, part)) as Json[])];
    const found = parts.map((part) => (part.properties as Json | undefined)?.[key]).find((property) => property !== undefined);
    current = found === undefined ? undefined : followRef<Json>(document, found);
    if (!current) return undefined;
  }
  return current;
}

/** A schema with the parts of its allOf merged in (properties, type, format), $refs resolved. */
function flattened(document: Json, schema: Json): Json {
  const parts = ((schema.allOf as unknown[] | undefined) ?? []).map((part) => flattened(document, followRef<Json>(document, part)));
  return Object.assign({}, ...parts, schema, { properties: Object.assign({}, ...parts.map((part) => part.properties), schema.properties) }) as Json;
}

/** The type of the column at `path` in a row, whose schema there is `target`. */
function columnType(document: Json, row: Json, path: string[], target: Json): { type: ColumnType; unit?: string } {
  const parent = path.length > 1 ? schemaAt(document, row, path.slice(0, -1)) : undefined;
  const siblings = parent ? ((flattened(document, parent).properties as Json | undefined) ?? {}) : {};
  if (path.at(-1) === 'value' && siblings.unit !== undefined && flattened(document, target).type === 'integer')
    return { type: 'amount', unit: [...path.slice(0, -1), 'unit'].join('.') };
  const { type, format } = flattened(document, target);
  if (format === 'date-time' || format === 'date') return { type: format };
  if (type === 'integer' || type === 'number') return { type: 'number' };
  return { type: type === 'boolean' ? 'boolean' : 'text' };
}

/** The 200 answer's CSV export, checked against the JSON answer's schema; null when it serves no text/csv. */
function csvExportOf(document: Json, operation: Json, where: string): CsvExport | null {
  const ok = followRef<Json>(document, (operation.responses as Json)?.['200']);
  const content = (ok?.content as Json | undefined) ?? {};
  const media = content['text/csv'] as Json | undefined;
  if (!media) {
    if (content[XLSX_MEDIA_TYPE]) throw new Error(`${where} serves XLSX: it needs text/csv too, whose x-csv-columns the workbook has`);
    return null;
  }
  const rows = media['x-csv-rows'];
  const fileName = media['x-csv-file-name'];
  const columns = media['x-csv-columns'] as { name?: unknown; path?: unknown; description?: unknown; items?: unknown }[] | undefined;
  if (typeof rows !== 'string' || typeof fileName !== 'string' || !Array.isArray(columns) || columns.length === 0)
    throw new Error(`${where} serves text/csv: it needs x-csv-rows, x-csv-file-name and x-csv-columns`);
  const json = (content['application/json'] as Json | undefined)?.schema;
  const list = schemaAt(document, json, ['data', rows]);
  const row = list?.type === 'array' ? followRef<Json>(document, list.items) : undefined;
  if (!row) throw new Error(`${where}: x-csv-rows ${rows} is not an array of the answer's data`);
  const names = new Set<string>();
  const typed: CsvExport['columns'] = [];
  for (const column of columns) {
    const { name, path, description, items } = column;
    if (typeof name !== 'string' || typeof path !== 'string' || typeof description !== 'string' || description.trim() === '')
      throw new Error(`${where}: each x-csv-columns entry needs a name, a path and a description`);
    if (names.has(name)) throw new Error(`${where}: the CSV column ${name} is declared twice`);
    names.add(name);
    const target = schemaAt(document, row, path.split('.'));
    if (target?.type === 'array') {
      typed.push({ name, path, ...listColumn(document, target, items, `${where}: the CSV column ${name}`) });
      continue;
    }
    if (!target || target.type === 'object') throw new Error(`${where}: the CSV column ${name} names ${path}, not a scalar or a list of a row`);
    if (items !== undefined) throw new Error(`${where}: the CSV column ${name} is not a list: it keeps no items`);
    typed.push({ name, path, ...columnType(document, row, path.split('.'), target) });
  }
  for (const [, parameter] of fileName.matchAll(/\{([A-Za-z]+)(?::[a-z-]+)?\}/g)) {
    const declared = [...((operation.parameters as unknown[]) ?? [])].map((item) => followRef<Json>(document, item).name);
    if (!declared.includes(parameter)) throw new Error(`${where}: x-csv-file-name names ${parameter}, not a parameter of the operation`);
  }
  return { rows, fileName, columns: typed, xlsx: content[XLSX_MEDIA_TYPE] !== undefined };
}

/** Header parameter names of a path item and its operation; the operation's own win by name (case-insensitive). */
function headerParameters(document: Json, item: Json, operation: Json): string[] {
  const declared = [...((item.parameters as unknown[]) ?? []), ...((operation.parameters as unknown[]) ?? [])]
    .map((parameter) => followRef<Json>(document, parameter))
    .filter((parameter) => parameter.in === 'header')
    .map((parameter) => String(parameter.name));
  const byLowerCase = new Map(declared.map((name) => [name.toLowerCase(), name]));
  return [...byLowerCase.values()].sort((a, b) => a.localeCompare(b));
}

/** Every operation of the document, sorted by operationId. */
export function collectOperations(document: Json): OperationRow[] {
  const rows: OperationRow[] = [];
  const rights = operatorRightCatalog(document);
  const paths = document.paths as Record<string, Json>;
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      if (typeof operation.operationId !== 'string') throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      const security = (operation.security ?? document.security ?? []) as Record<string, string[]>[];
      const scopes = [...new Set(security.flatMap((requirement) => requirement.oauth2 ?? []))].sort();
      const envelope = isEnvelope(document, operation);
      // Every envelope operation refuses an Accept naming none of its media types (src/http/routes.ts).
      if (envelope && !(operation.responses as Json)['406']) throw new Error(`${method.toUpperCase()} ${path} needs a 406 response (NotAcceptable.yaml)`);
      rows.push({
        operationId: operation.operationId,
        method,
        path,
        security,
        scopes,
        operatorRight: operatorRightOf(operation, path, rights, `${method.toUpperCase()} ${path}`),
        operatorScoped: operatorScopedOf(operation, path, `${method.toUpperCase()} ${path}`),
        operatorStepUp: operatorStepUpOf(operation, path, `${method.toUpperCase()} ${path}`),
        envelope,
        headers: headerParameters(document, item, operation),
        csv: csvExportOf(document, operation, `${method.toUpperCase()} ${path}`),
        deprecation: deprecationOf(operation, `${method.toUpperCase()} ${path}`),
      });
    }
  }
  return rows.sort((a, b) => a.operationId.localeCompare(b.operationId));
}

const literal = (value: unknown) => JSON.stringify(value);

/** Names of the response headers declared anywhere in the document (paths and components.responses), sorted. */
export function responseHeaderNames(document: Json): string[] {
  const responses: unknown[] = Object.values(((document.components as Json | undefined)?.responses as Json | undefined) ?? {});
  for (const item of Object.values((document.paths as Record<string, Json>) ?? {})) {
    for (const method of METHODS) responses.push(...Object.values(((item[method] as Json | undefined)?.responses as Json | undefined) ?? {}));
  }
  const names = responses.flatMap((response) => Object.keys((followRef<Json>(document, response).headers as Json | undefined) ?? {}));
  const byLowerCase = new Map(names.map((name) => [name.toLowerCase(), name]));
  return [...byLowerCase.values()].sort((a, b) => a.localeCompare(b));
}

/** The bounds of an amount's value (components.schemas.Amount, property value): both must be declared. */
function amountBounds(document: Json): { minimum: number; maximum: number } {
  const schemas = ((document.components as Json | undefined)?.schemas as Json | undefined) ?? {};
  const value = ((followRef<Json>(document, schemas.Amount)?.properties as Json | undefined)?.value ?? {}) as Json;
  const { minimum, maximum } = value;
  if (!Number.isSafeInteger(minimum) || !Number.isSafeInteger(maximum)) {
    throw new Error('components.schemas.Amount.properties.value needs an integer minimum and maximum (safe integers)');
  }
  return { minimum: minimum as number, maximum: maximum as number };
}

/** generated/operations.ts for a bundled document. */
export function renderOperations(document: Json, notice: string): string {
  const rows = collectOperations(document);
  const schemes = (document.components as Json).securitySchemes as Record<string, Json>;
  const flows = (schemes.oauth2?.flows as Json | undefined)?.clientCredentials as Json | undefined;
  const scopes = (flows?.scopes ?? {}) as Record<string, string>;
  const lines = [
    `// ${notice}`,
    `import type { operations } from './schema';`,
    '',
    `/** Every operation of the contract: method, path (OpenAPI and express forms), security and scopes. */`,
    'export const operationTable = {',
    ...rows.map((row) =>
      [
        `  ${row.operationId}: {`,
        `    operationId: ${literal(row.operationId)},`,
        `    method: ${literal(row.method)},`,
        `    path: ${literal(row.path)},`,
        `    expressPath: ${literal(row.path.replace(/\{([^}]+)\}/g, ':$1'))},`,
        `    security: ${literal(row.security)},`,
        `    scopes: ${literal(row.scopes)},`,
        `    operatorRight: ${literal(row.operatorRight)},`,
        `    operatorScoped: ${row.operatorScoped},`,
        `    operatorStepUp: ${literal(row.operatorStepUp)},`,
        `    envelope: ${row.envelope},`,
        `    headers: ${literal(row.headers)},`,
        `    csv: ${literal(row.csv)},`,
        `    deprecation: ${literal(row.deprecation)},`,
        '  },',
      ].join('\n'),
    ),
    '} as const;',
    '',
    'export type OperationId = keyof typeof operationTable;',
    '',
    '/** Operations answered with the success envelope: a handler returns their `data`. */',
    `export type EnvelopeOperationId = ${
      rows
        .filter((row) => row.envelope)
        .map((row) => literal(row.operationId))
        .join(' | ') || 'never'
    };`,
    '',
    '/** Operations with their own answer format (OAuth, the published contract), served by dedicated routes. */',
    `export type RawOperationId = ${
      rows
        .filter((row) => !row.envelope)
        .map((row) => literal(row.operationId))
        .join(' | ') || 'never'
    };`,
    '',
    '/** The OAuth2 scopes the contract defines, with their descriptions. */',
    `export const oauthScopes = ${JSON.stringify(scopes, null, 2)} as const;`,
    '',
    'export type Scope = keyof typeof oauthScopes;',
    '',
    '/** The rights a back-office operator may be granted (root x-operator-rights), with their descriptions. */',
    `export const operatorRights = ${JSON.stringify(operatorRightCatalog(document), null, 2)} as const;`,
    '',
    'export type OperatorRight = keyof typeof operatorRights;',
    '',
    '/** Header parameters some operation declares (names as declared, case-insensitive on the wire). */',
    `export const requestHeaderNames = ${literal([...new Map(rows.flatMap((row) => row.headers).map((name) => [name.toLowerCase(), name])).values()].sort((a, b) => a.localeCompare(b)))} as const;`,
    '',
    '/** Response headers the contract declares on some answer. */',
    `export const responseHeaderNames = ${literal(responseHeaderNames(document))} as const;`,
    '',
    "/** The bounds of an amount's value in its unit's smallest denomination (components.schemas.Amount). */",
    `export const amountBounds = ${literal(amountBounds(document))} as const;`,
    '',
    'type Parameters<Op extends keyof operations> = operations[Op] extends { parameters: infer P } ? P : never;',
    "type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;",
    '',
    "/** The `data` of an operation's success envelope. */",
    "export type OperationData<Op extends EnvelopeOperationId> = JsonOf<operations[Op]['responses'][200]> extends { data: infer Data } ? Data : never;",
    '',
    '/** What a handler receives, already validated against the contract. */',
    'export interface OperationInput<Op extends EnvelopeOperationId> {',
    '  path: Parameters<Op> extends { path?: infer P } ? P : never;',
    '  query: Parameters<Op> extends { query?: infer Q } ? Q : never;',
    '  /** The declared header parameters, keys as declared; `never` when the operation declares none. */',
    '  header: NonNullable<Parameters<Op> extends { header?: infer H } ? H : never>;',
    '  body: operations[Op] extends { requestBody?: infer B } ? JsonOf<B> : never;',
    '}',
    '',
    '/** One handler per envelope operation: a missing or mistyped handler is a compile error. */',
    'export type Handlers<Context> = {',
    '  [Op in EnvelopeOperationId]: (context: Context, input: OperationInput<Op>) => Promise<OperationData<Op>>;',
    '};',
    '',
  ];
  return lines.join('\n');
}

/** One entry of the result-code catalog (components.schemas.ErrorCode x-code-catalog). */
export interface CodeEntry {
  code: string;
  status: number;
  /** The status at the OAuth endpoints, where RFC 6749 §5.2 asks for another one. */
  oauthStatus?: number;
  meaning: string;
  message: { fr: string; en: string };
}

export function renderCodes(document: Json, notice: string): string {
  const schema = ((document.components as Json).schemas as Json).ErrorCode as Json;
  const catalog = schema['x-code-catalog'] as Record<string, CodeEntry> | undefined;
  if (!catalog) throw new Error('components.schemas.ErrorCode has no x-code-catalog');
  for (const [name, entry] of Object.entries(catalog)) {
    const wellFormed =
      /^[A-Z][A-Z_]*$/.test(name) &&
      ['code,meaning,message,status', 'code,meaning,message,oauthStatus,status'].includes(Object.keys(entry).sort().join()) &&
      (entry.oauthStatus === undefined || Number.isInteger(entry.oauthStatus)) &&
      /^[0-9]{4}$/.test(entry.code) &&
      Number.isInteger(entry.status) &&
      typeof entry.meaning === 'string' &&
      Object.keys(entry.message ?? {})
        .sort()
        .join() === 'en,fr' &&
      typeof entry.message.fr === 'string' &&
      typeof entry.message.en === 'string';
    if (!wellFormed)
      throw new Error(
        `x-code-catalog.${name} needs exactly: a 4-digit code, an integer status (and optionally oauthStatus), a meaning, message.fr and message.en`,
      );
  }
  const exceptionSchema = ((document.components as Json).schemas as Json).CardException as Json;
  const exceptionMessages = exceptionSchema['x-message-catalog'] as Record<string, { fr: string; en: string }> | undefined;
  const kinds = ((exceptionSchema.properties as Json).kind as Json).enum as string[];
  const wellFormedMessages =
    exceptionMessages !== undefined &&
    Object.keys(exceptionMessages).sort().join() === [...kinds].sort().join() &&
    Object.values(exceptionMessages).every(
      (message) => Object.keys(message).sort().join() === 'en,fr' && typeof message.fr === 'string' && typeof message.en === 'string',
    );
  if (!wellFormedMessages) throw new Error('components.schemas.CardException needs an x-message-catalog giving each kind exactly message.fr and message.en');
  return [
    `// ${notice}`,
    '',
    '/** The result-code catalog (components.schemas.ErrorCode x-code-catalog), keyed by name. */',
    `export const codeCatalog = ${JSON.stringify(catalog, null, 2)} as const;`,
    '',
    'export type CodeName = keyof typeof codeCatalog;',
    '',
    "/** The end user's message of each exception kind (components.schemas.CardException x-message-catalog). */",
    `export const exceptionMessages = ${JSON.stringify(exceptionMessages, null, 2)} as const;`,
    '',
  ].join('\n');
}

/** The SDK's list of the POST operations that accept an Idempotency-Key, as path patterns (its retries add a key to them). */
export function renderIdempotentPosts(document: Json): string {
  const patterns = collectOperations(document)
    .filter((row) => row.method === 'post' && row.headers.includes('Idempotency-Key'))
    .map((row) => `  /^${row.path.replace(/\{[^}]+\}/g, '[^/]+').replaceAll('/', '\\/')}$/, // ${row.operationId}`);
  return [
    '/** The POST operations that accept an Idempotency-Key (the SDK gives one to a call without, so that it can be retried). */',
    'export const IDEMPOTENT_POSTS: readonly RegExp[] = [',
    ...patterns,
    '];',
    '',
  ].join('\n');
}
