/**
 * Renders generated/operations.ts (the operation table, the Handlers type, the header names
 * and amount bounds the contract declares) and generated/codes.ts (the result-code catalog)
 * from the bundled contract.
 */

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface OperationRow {
  operationId: string;
  method: string;
  path: string;
  security: Record<string, string[]>[];
  scopes: string[];
  envelope: boolean;
  /** The operation's header parameters (path-level and its own), names as declared. */
  headers: string[];
  /** Its 200 answer is also served as CSV (text/csv), for `Accept: text/csv`. */
  csv: boolean;
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

/** The README's deprecation policy: an operation stays for at least 6 months after it is deprecated. */
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
  if (Number.isNaN(since) || Number.isNaN(sunset)) throw new Error(`${where} is deprecated: it needs x-deprecation: { since: <date-time>, sunset: <date-time> }`);
  const earliest = new Date(since);
  earliest.setUTCMonth(earliest.getUTCMonth() + MIN_NOTICE_MONTHS);
  if (sunset < earliest.getTime()) throw new Error(`${where}: x-deprecation.sunset must be at least ${MIN_NOTICE_MONTHS} months after its since`);
  const tag = ((operation.tags as string[] | undefined) ?? [])[0];
  if (!tag) throw new Error(`${where} is deprecated: it needs a tag (its /docs section is /<tag>/<operationid>)`);
  // The operation's section of the Redoc page (the page rewrites older anchors to this form).
  return { since: Math.floor(since / 1000), sunset: new Date(sunset).toUTCString(), link: `/docs#/${tag}/${String(operation.operationId).toLowerCase()}` };
}

function resolveRef(document: Json, node: unknown): Json {
  let current = node as Json;
  while (current && typeof current.$ref === 'string') {
    const pointer = current.$ref.replace(/^#\//, '').split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
    current = pointer.reduce<Json>((value, key) => value[key] as Json, document);
  }
  return current;
}

/** An operation is an envelope operation when its 200 JSON answer is built on SuccessEnvelope. */
function isEnvelope(document: Json, operation: Json): boolean {
  const ok = resolveRef(document, (operation.responses as Json)?.['200']);
  const schema = ((ok?.content as Json)?.['application/json'] as Json)?.schema as Json | undefined;
  const parts = (resolveRef(document, schema)?.allOf as Json[] | undefined) ?? [];
  return parts.some((part) => part.$ref === '#/components/schemas/SuccessEnvelope');
}

/** The 200 answer declares a text/csv representation. */
function servesCsv(document: Json, operation: Json): boolean {
  const ok = resolveRef(document, (operation.responses as Json)?.['200']);
  return Boolean((ok?.content as Json | undefined)?.['text/csv']);
}

/** Header parameter names of a path item and its operation; the operation's own win by name (case-insensitive). */
function headerParameters(document: Json, item: Json, operation: Json): string[] {
  const declared = [...((item.parameters as unknown[]) ?? []), ...((operation.parameters as unknown[]) ?? [])]
    .map((parameter) => resolveRef(document, parameter))
    .filter((parameter) => parameter.in === 'header')
    .map((parameter) => String(parameter.name));
  const byLowerCase = new Map(declared.map((name) => [name.toLowerCase(), name]));
  return [...byLowerCase.values()].sort((a, b) => a.localeCompare(b));
}

/** Every operation of the document, sorted by operationId. */
export function collectOperations(document: Json): OperationRow[] {
  const rows: OperationRow[] = [];
  const paths = document.paths as Record<string, Json>;
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      if (typeof operation.operationId !== 'string') throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      const security = (operation.security ?? document.security ?? []) as Record<string, string[]>[];
      const scopes = [...new Set(security.flatMap((requirement) => requirement.oauth2 ?? []))].sort();
      rows.push({
        operationId: operation.operationId, method, path, security, scopes,
        envelope: isEnvelope(document, operation), headers: headerParameters(document, item, operation), csv: servesCsv(document, operation),
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
  const names = responses.flatMap((response) => Object.keys((resolveRef(document, response).headers as Json | undefined) ?? {}));
  const byLowerCase = new Map(names.map((name) => [name.toLowerCase(), name]));
  return [...byLowerCase.values()].sort((a, b) => a.localeCompare(b));
}

/** The bounds of an amount's value (components.schemas.Amount, property value): both must be declared. */
function amountBounds(document: Json): { minimum: number; maximum: number } {
  const schemas = ((document.components as Json | undefined)?.schemas as Json | undefined) ?? {};
  const value = ((resolveRef(document, schemas.Amount)?.properties as Json | undefined)?.value ?? {}) as Json;
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
    `export type EnvelopeOperationId = ${rows.filter((row) => row.envelope).map((row) => literal(row.operationId)).join(' | ') || 'never'};`,
    '',
    '/** Operations with their own answer format (OAuth, the published contract), served by dedicated routes. */',
    `export type RawOperationId = ${rows.filter((row) => !row.envelope).map((row) => literal(row.operationId)).join(' | ') || 'never'};`,
    '',
    '/** The OAuth2 scopes the contract defines, with their descriptions. */',
    `export const oauthScopes = ${JSON.stringify(scopes, null, 2)} as const;`,
    '',
    'export type Scope = keyof typeof oauthScopes;',
    '',
    '/** Header parameters some operation declares (names as declared, case-insensitive on the wire). */',
    `export const requestHeaderNames = ${literal([...new Map(rows.flatMap((row) => row.headers).map((name) => [name.toLowerCase(), name])).values()].sort((a, b) => a.localeCompare(b)))} as const;`,
    '',
    '/** Response headers the contract declares on some answer. */',
    `export const responseHeaderNames = ${literal(responseHeaderNames(document))} as const;`,
    '',
    '/** The bounds of an amount\'s value in its unit\'s smallest denomination (components.schemas.Amount). */',
    `export const amountBounds = ${literal(amountBounds(document))} as const;`,
    '',
    'type Parameters<Op extends keyof operations> = operations[Op] extends { parameters: infer P } ? P : never;',
    'type JsonOf<T> = T extends { content: { \'application/json\': infer Body } } ? Body : never;',
    '',
    '/** The `data` of an operation\'s success envelope. */',
    'export type OperationData<Op extends EnvelopeOperationId> = JsonOf<operations[Op][\'responses\'][200]> extends { data: infer Data } ? Data : never;',
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
      Object.keys(entry.message ?? {}).sort().join() === 'en,fr' &&
      typeof entry.message.fr === 'string' &&
      typeof entry.message.en === 'string';
    if (!wellFormed) throw new Error(`x-code-catalog.${name} needs exactly: a 4-digit code, an integer status (and optionally oauthStatus), a meaning, message.fr and message.en`);
  }
  return [
    `// ${notice}`,
    '',
    '/** The result-code catalog (components.schemas.ErrorCode x-code-catalog), keyed by name. */',
    `export const codeCatalog = ${JSON.stringify(catalog, null, 2)} as const;`,
    '',
    'export type CodeName = keyof typeof codeCatalog;',
    '',
  ].join('\n');
}
