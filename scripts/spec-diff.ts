/**
 * `npm run spec:diff` compares the bundled contract of the working tree (generated/openapi.json:
 * run `npm run generate` first) with the last published one (spec/published/openapi.json,
 * written by `npm run spec:publish`), and fails on changes that break clients; CI runs it.
 * `npm run spec:diff -- <git-ref>` compares with the bundle committed at <ref> instead.
 *
 * Exit 0: no breaking change; 1: breaking changes (each listed with its location and
 * operationId); 2: bad arguments, unknown ref, no generated/openapi.json at the ref, or no
 * published contract.
 *
 * Breaking for clients:
 * - an operation removed, or its operationId renamed (the generated SDK's method name);
 * - a response status, media type or header removed;
 * - a response field removed, or no longer required; a response type changed or made nullable;
 * - a request parameter, body or field added as required, or made required; a query parameter
 *   removed (the server rejects unknown query parameters); a field removed from a closed
 *   (additionalProperties: false) request object, or a request object closed;
 * - a type or format changed (format narrowing: a request format added, or a response format
 *   removed; int32 -> int64 and float -> double widen requests only);
 * - an enum value removed from a request field, or an enum added to it;
 * - pattern, maxLength, maximum, minimum... tightened on a request field;
 * - security: a security alternative a client used no longer satisfies the operation (a new
 *   scope required, basicAuth removed, a public operation now secured), or a scheme changed.
 * Warning (reported, does not fail): an enum value added to a response field (or its enum
 * dropped). Clients that switch on the value may not handle the new one; others will not care.
 * Everything else that differs is info: new operations, statuses, optional fields...
 *
 * `$ref`s and `allOf` are resolved (the contract builds its envelopes with allOf). Locations are
 * JSON pointers into the bundled document, schemas followed through their properties.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { followRef } from './contract-ref';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking an arbitrary OpenAPI document

export interface Change {
  /** A short rule name, e.g. `response-field-removed`. */
  rule: string;
  /** JSON pointer-like location in the bundled document, e.g. `#/paths/~1partner~1v1~1me/get/responses/200`. */
  location: string;
  /** The operation concerned (the `before` one when it was removed); absent for document-level changes. */
  operationId?: string;
  message: string;
}

export interface ContractDiff {
  breaking: Change[];
  /** Debatable changes that do not fail the check (an enum value added to a response). */
  warnings: Change[];
  info: Change[];
}

type Level = keyof ContractDiff;
type Direction = 'request' | 'response';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const UPPER_BOUNDS = ['maxLength', 'maximum', 'maxItems', 'maxProperties'];
const LOWER_BOUNDS = ['minLength', 'minimum', 'minItems', 'minProperties'];
/** Formats that accept every value of the key format. */
const WIDER_FORMAT: Record<string, string> = { int32: 'int64', float: 'double' };

const escape = (part: string | number) => String(part).replace(/~/g, '~0').replace(/\//g, '~1');
const at = (base: string, ...parts: (string | number)[]) => [base, ...parts.map(escape)].join('/');
const show = (value: unknown) => (value === undefined ? 'none' : JSON.stringify(value));

/** A schema with its `$ref` followed and its `allOf` parts merged in (one level: properties stay unresolved). */
function shallow(doc: Json, node: Json | undefined): Json {
  const schema = followRef<Json | undefined>(doc, node) ?? {};
  if (!Array.isArray(schema.allOf)) return schema;
  const { allOf, ...merged } = schema as Json;
  for (const part of (allOf as Json[]).map((sub) => shallow(doc, sub))) {
    if (part.properties) merged.properties = { ...merged.properties, ...part.properties };
    if (part.required) merged.required = [...new Set([...(merged.required ?? []), ...part.required])];
    for (const [key, value] of Object.entries(part)) if (!(key in merged)) merged[key] = value;
  }
  return merged;
}

class Differ {
  readonly result: ContractDiff = { breaking: [], warnings: [], info: [] };
  private operationId: string | undefined;

  constructor(
    private readonly before: Json,
    private readonly after: Json,
  ) {}

  private report(level: Level, rule: string, location: string, message: string): void {
    this.result[level].push({ rule, location: `#${location}`, ...(this.operationId ? { operationId: this.operationId } : {}), message });
  }

  run(): ContractDiff {
    const before = operationsOf(this.before);
    const after = operationsOf(this.after);
    for (const [key, old] of before) {
      this.operationId = old.operation.operationId;
      const current = after.get(key);
      if (!current) this.report('breaking', 'operation-removed', old.location, `operation ${old.label} removed`);
      else this.operation(old, current);
    }
    for (const [key, added] of after) {
      this.operationId = added.operation.operationId;
      if (!before.has(key)) this.report('info', 'operation-added', added.location, `operation ${added.label} added`);
    }
    this.operationId = undefined;
    this.securitySchemes();
    return this.result;
  }

  private operation(old: Operation, current: Operation): void {
    const loc = current.location;
    if (old.operation.operationId !== current.operation.operationId)
      this.report(
        'breaking',
        'operation-id-changed',
        `${loc}/operationId`,
        `operationId ${show(old.operation.operationId)} renamed ${show(current.operation.operationId)} (the SDK method name)`,
      );
    this.security(old, current);
    this.parameters(old, current);
    this.requestBody(
      followRef<Json | undefined>(this.before, old.operation.requestBody),
      followRef<Json | undefined>(this.after, current.operation.requestBody),
      `${loc}/requestBody`,
    );
    this.responses(old.operation.responses ?? {}, current.operation.responses ?? {}, `${loc}/responses`);
  }

  // Security: every alternative a client could use before must still satisfy some alternative after.
  private security(old: Operation, current: Operation): void {
    const loc = `${current.location}/security`;
    const alternatives = (doc: Json, op: Operation): Json[] => {
      const list: Json[] = op.operation.security ?? doc.security ?? [];
      return list.length === 0 ? [{}] : list;
    };
    const before = alternatives(this.before, old);
    const after = alternatives(this.after, current);
    const label = (alt: Json) =>
      Object.keys(alt).length === 0
        ? 'no authentication'
        : Object.entries(alt)
            .map(([name, scopes]) => `${name}${(scopes as string[]).length ? ` [${(scopes as string[]).join(', ')}]` : ''}`)
            .join(' + ');
    const satisfies = (client: Json, required: Json) =>
      Object.entries(required).every(
        ([name, scopes]) => client[name] !== undefined && (scopes as string[]).every((scope) => (client[name] as string[]).includes(scope)),
      );
    for (const alt of before) {
      if (after.some((required) => satisfies(alt, required))) continue;
      const sameSchemes = after.find((required) => Object.keys(required).sort().join() === Object.keys(alt).sort().join() && Object.keys(alt).length > 0);
      if (Object.keys(alt).length === 0)
        this.report('breaking', 'security-added', loc, `the operation was public and now requires ${after.map(label).join(' or ')}`);
      else if (sameSchemes) {
        const missing = Object.entries(sameSchemes).flatMap(([name, scopes]) =>
          (scopes as string[]).filter((scope) => !(alt[name] as string[]).includes(scope)),
        );
        this.report('breaking', 'security-scope-added', loc, `new scope required: ${missing.join(', ')} (was ${label(alt)})`);
      } else this.report('breaking', 'security-alternative-removed', loc, `security alternative ${label(alt)} removed (now ${after.map(label).join(' or ')})`);
    }
    for (const alt of after)
      if (!before.some((prior) => satisfies(prior, alt) && satisfies(alt, prior)))
        this.report('info', 'security-alternative-added', loc, `security alternative ${label(alt)} accepted`);
  }

  private securitySchemes(): void {
    const before: Json = this.before.components?.securitySchemes ?? {};
    const after: Json = this.after.components?.securitySchemes ?? {};
    const shape = (doc: Json, node: Json) => {
      const scheme = followRef<Json | undefined>(doc, node) ?? {};
      const flows = Object.fromEntries(
        Object.entries((scheme.flows ?? {}) as Json).map(([name, flow]) => [name, { tokenUrl: flow.tokenUrl, authorizationUrl: flow.authorizationUrl }]),
      );
      return JSON.stringify({ type: scheme.type, scheme: scheme.scheme?.toLowerCase(), in: scheme.in, name: scheme.name, flows });
    };
    for (const [name, scheme] of Object.entries(before)) {
      const loc = at('/components/securitySchemes', name);
      if (!(name in after)) this.report('breaking', 'security-scheme-removed', loc, `security scheme ${name} removed`);
      else if (shape(this.before, scheme) !== shape(this.after, after[name]))
        this.report(
          'breaking',
          'security-scheme-changed',
          loc,
          `security scheme ${name} changed: ${shape(this.before, scheme)} -> ${shape(this.after, after[name])}`,
        );
    }
  }

  private parameters(old: Operation, current: Operation): void {
    const before = parametersOf(this.before, old);
    const after = parametersOf(this.after, current);
    for (const [key, parameter] of before) {
      const loc = at(`${current.location}/parameters`, parameter.in, parameter.name);
      const next = after.get(key);
      if (!next) {
        // express-openapi-validator answers 400 to an unknown query parameter; unknown headers are ignored.
        if (parameter.in === 'query' || parameter.in === 'path')
          this.report('breaking', 'parameter-removed', loc, `${parameter.in} parameter ${parameter.name} removed: clients sending it are rejected`);
        else this.report('info', 'parameter-removed', loc, `${parameter.in} parameter ${parameter.name} removed`);
        continue;
      }
      if (!parameter.required && next.required)
        this.report('breaking', 'parameter-made-required', loc, `${parameter.in} parameter ${parameter.name} is now required`);
      this.schema(parameter.schema, next.schema, 'request', `${loc}/schema`);
    }
    for (const [key, parameter] of after) {
      if (before.has(key)) continue;
      const loc = at(`${current.location}/parameters`, parameter.in, parameter.name);
      if (parameter.required) this.report('breaking', 'parameter-added-required', loc, `required ${parameter.in} parameter ${parameter.name} added`);
      else this.report('info', 'parameter-added', loc, `optional ${parameter.in} parameter ${parameter.name} added`);
    }
  }

  private requestBody(before: Json | undefined, after: Json | undefined, loc: string): void {
    if (!before && !after) return;
    if (!before) {
      if (after!.required) this.report('breaking', 'request-body-added-required', loc, 'required request body added');
      else this.report('info', 'request-body-added', loc, 'optional request body added');
      return;
    }
    if (!after) return this.report('info', 'request-body-removed', loc, 'request body removed');
    if (!before.required && after.required) this.report('breaking', 'request-body-made-required', loc, 'request body is now required');
    this.content(before.content ?? {}, after.content ?? {}, 'request', `${loc}/content`);
  }

  private responses(before: Json, after: Json, loc: string): void {
    for (const [status, node] of Object.entries(before)) {
      const statusLoc = at(loc, status);
      if (!(status in after)) {
        this.report('breaking', 'response-status-removed', statusLoc, `response ${status} removed`);
        continue;
      }
      const old = followRef<Json | undefined>(this.before, node) ?? {};
      const current = followRef<Json | undefined>(this.after, after[status]) ?? {};
      const currentHeaders = new Set(Object.keys(current.headers ?? {}).map((name) => name.toLowerCase()));
      for (const name of Object.keys(old.headers ?? {}))
        if (!currentHeaders.has(name.toLowerCase()))
          this.report('breaking', 'response-header-removed', at(statusLoc, 'headers', name), `response header ${name} removed`);
      this.content(old.content ?? {}, current.content ?? {}, 'response', `${statusLoc}/content`);
    }
    for (const status of Object.keys(after)) if (!(status in before)) this.report('info', 'response-status-added', at(loc, status), `response ${status} added`);
  }

  private content(before: Json, after: Json, direction: Direction, loc: string): void {
    for (const [mediaType, media] of Object.entries(before)) {
      const mediaLoc = at(loc, mediaType);
      if (!(mediaType in after)) this.report('breaking', `${direction}-media-type-removed`, mediaLoc, `${direction} media type ${mediaType} removed`);
      else this.schema((media as Json).schema, after[mediaType].schema, direction, `${mediaLoc}/schema`);
    }
    for (const mediaType of Object.keys(after))
      if (!(mediaType in before)) this.report('info', `${direction}-media-type-added`, at(loc, mediaType), `${direction} media type ${mediaType} added`);
  }

  /** Compares two schemas in the direction data flows: what a client sends (request) or reads (response). */
  private schema(beforeNode: Json | undefined, afterNode: Json | undefined, direction: Direction, loc: string, stack: string[] = []): void {
    if (!beforeNode || !afterNode) return;
    const pair = `${beforeNode.$ref ?? ''}|${afterNode.$ref ?? ''}`;
    if (pair !== '|' && stack.includes(pair)) return; // a recursive schema: already being compared
    const nextStack = pair === '|' ? stack : [...stack, pair];
    const b = shallow(this.before, beforeNode);
    const a = shallow(this.after, afterNode);
    const request = direction === 'request';
    const field = (name: string) => `${direction} field ${name}`;

    if (b.type !== a.type) {
      if (b.type && a.type) return this.report('breaking', 'type-changed', loc, `type changed from ${b.type} to ${a.type}`);
      if (b.type) this.report(request ? 'info' : 'breaking', 'type-changed', loc, `type ${b.type} no longer declared`);
      else this.report(request ? 'breaking' : 'info', 'type-changed', loc, `type narrowed to ${a.type}`);
    }
    if (!request && !b.nullable && a.nullable) this.report('breaking', 'type-changed', loc, 'response value may now be null');
    if (request && b.nullable && !a.nullable) this.report('breaking', 'type-changed', loc, 'request value no longer accepts null');

    if (b.format !== a.format) {
      // What a client sends must stay accepted (the new format accepts more); what it reads must stay parseable.
      const [narrow, wide] = request ? [b.format, a.format] : [a.format, b.format];
      const safe = narrow !== undefined && (wide === undefined || WIDER_FORMAT[narrow] === wide);
      this.report(safe ? 'info' : 'breaking', 'format-changed', `${loc}/format`, `format changed from ${show(b.format)} to ${show(a.format)}`);
    }

    this.enumeration(b.enum, a.enum, direction, `${loc}/enum`);

    if (request) this.constraints(b, a, loc);

    // Object properties.
    const beforeProps: Json = b.properties ?? {};
    const afterProps: Json = a.properties ?? {};
    const wasRequired = new Set<string>(b.required ?? []);
    const isRequired = new Set<string>(a.required ?? []);
    const closed = a.additionalProperties === false;
    for (const [name, sub] of Object.entries(beforeProps)) {
      const propLoc = at(loc, 'properties', name);
      if (!(name in afterProps)) {
        if (!request) this.report('breaking', 'response-field-removed', propLoc, `${field(name)} removed`);
        else if (closed)
          this.report('breaking', 'request-field-removed', propLoc, `${field(name)} removed from a closed object: clients sending it are rejected`);
        else this.report('info', 'request-field-removed', propLoc, `${field(name)} removed`);
        continue;
      }
      if (wasRequired.has(name) && !isRequired.has(name))
        this.report(
          request ? 'info' : 'breaking',
          request ? 'request-field-optional' : 'response-field-optional',
          propLoc,
          `${field(name)} is no longer required`,
        );
      if (!wasRequired.has(name) && isRequired.has(name))
        this.report(request ? 'breaking' : 'info', request ? 'request-field-required' : 'response-field-required', propLoc, `${field(name)} is now required`);
      this.schema(sub, afterProps[name], direction, propLoc, nextStack);
    }
    for (const name of Object.keys(afterProps)) {
      if (name in beforeProps) continue;
      const propLoc = at(loc, 'properties', name);
      if (request && isRequired.has(name)) this.report('breaking', 'request-field-added-required', propLoc, `required ${field(name)} added`);
      else this.report('info', 'field-added', propLoc, `${isRequired.has(name) ? 'required' : 'optional'} ${field(name)} added`);
    }
    if (request && closed && b.additionalProperties !== false && b.type === 'object')
      this.report('breaking', 'request-object-closed', `${loc}/additionalProperties`, 'request object no longer accepts additional properties');

    // Arrays, maps and variants.
    if (b.items && a.items) this.schema(b.items, a.items, direction, `${loc}/items`, nextStack);
    if (typeof b.additionalProperties === 'object' && typeof a.additionalProperties === 'object')
      this.schema(b.additionalProperties, a.additionalProperties, direction, `${loc}/additionalProperties`, nextStack);
    for (const keyword of ['oneOf', 'anyOf']) {
      const before: Json[] = b[keyword] ?? [];
      const after: Json[] = a[keyword] ?? [];
      if (before.length === after.length) before.forEach((sub, index) => this.schema(sub, after[index], direction, at(loc, keyword, index), nextStack));
      else if (request && after.length < before.length && after.length > 0)
        this.report('breaking', 'variants-changed', `${loc}/${keyword}`, `${keyword} variants reduced from ${before.length} to ${after.length}`);
      else if (!request && after.length > before.length && before.length > 0)
        this.report('warnings', 'variants-changed', `${loc}/${keyword}`, `${keyword} variants grew from ${before.length} to ${after.length}`);
      else this.report('info', 'variants-changed', `${loc}/${keyword}`, `${keyword} variants changed from ${before.length} to ${after.length}`);
    }
  }

  private enumeration(before: unknown[] | undefined, after: unknown[] | undefined, direction: Direction, loc: string): void {
    if (!before && !after) return;
    const key = (value: unknown) => JSON.stringify(value);
    const removed = (before ?? []).filter((value) => !(after ?? []).map(key).includes(key(value)));
    const added = (after ?? []).filter((value) => !(before ?? []).map(key).includes(key(value)));
    if (direction === 'request') {
      if (!before) this.report('breaking', 'request-enum-added', loc, `request value now restricted to ${show(after)}`);
      else if (!after) this.report('info', 'request-enum-removed', loc, 'request value no longer restricted to an enum');
      else {
        if (removed.length) this.report('breaking', 'request-enum-value-removed', loc, `request enum value(s) removed: ${removed.map(key).join(', ')}`);
        if (added.length) this.report('info', 'request-enum-value-added', loc, `request enum value(s) added: ${added.map(key).join(', ')}`);
      }
    } else {
      if (!before) this.report('info', 'response-enum-added', loc, `response value now restricted to ${show(after)}`);
      else if (!after)
        this.report('warnings', 'response-enum-removed', loc, 'response value no longer restricted to an enum: clients may receive values they do not know');
      else {
        if (added.length)
          this.report(
            'warnings',
            'response-enum-value-added',
            loc,
            `response enum value(s) added: ${added.map(key).join(', ')}: clients switching on the value may not handle them`,
          );
        if (removed.length) this.report('info', 'response-enum-value-removed', loc, `response enum value(s) removed: ${removed.map(key).join(', ')}`);
      }
    }
  }

  /** Request constraints: a tighter bound rejects values clients could send before. */
  private constraints(b: Json, a: Json, loc: string): void {
    const tightened = (key: string, how: string) =>
      this.report('breaking', 'request-constraint-tightened', `${loc}/${key}`, `request ${key} tightened: ${how}`);
    const relaxed = (key: string, how: string) => this.report('info', 'request-constraint-relaxed', `${loc}/${key}`, `request ${key} relaxed: ${how}`);
    const change = (key: string) => `${show(b[key])} -> ${show(a[key])}`;
    for (const key of UPPER_BOUNDS) {
      if (b[key] === a[key]) continue;
      if (a[key] !== undefined && (b[key] === undefined || a[key] < b[key])) tightened(key, change(key));
      else relaxed(key, change(key));
    }
    for (const key of LOWER_BOUNDS) {
      if (b[key] === a[key]) continue;
      if (a[key] !== undefined && (b[key] === undefined || a[key] > b[key])) tightened(key, change(key));
      else relaxed(key, change(key));
    }
    for (const key of ['exclusiveMinimum', 'exclusiveMaximum', 'uniqueItems']) {
      if (Boolean(b[key]) === Boolean(a[key])) continue;
      if (a[key]) tightened(key, change(key));
      else relaxed(key, change(key));
    }
    for (const key of ['pattern', 'multipleOf']) {
      if (b[key] === a[key]) continue;
      // Whether one regular expression accepts everything another does is not decidable here: any new or changed pattern counts.
      if (a[key] !== undefined) tightened(key, change(key));
      else relaxed(key, change(key));
    }
  }
}

interface Operation {
  label: string;
  path: string;
  location: string;
  pathItem: Json;
  operation: Json;
}

/** Operations by `METHOD /path` (path parameter names ignored: renaming one does not change the URL). */
function operationsOf(doc: Json): Map<string, Operation> {
  const operations = new Map<string, Operation>();
  for (const [path, node] of Object.entries((doc.paths ?? {}) as Json)) {
    const pathItem = followRef<Json | undefined>(doc, node) ?? {};
    for (const method of METHODS) {
      if (!pathItem[method]) continue;
      const key = `${method.toUpperCase()} ${path.replace(/\{[^}]*\}/g, '{}')}`;
      operations.set(key, { label: `${method.toUpperCase()} ${path}`, path, location: at('/paths', path, method), pathItem, operation: pathItem[method] });
    }
  }
  return operations;
}

/**
 * The operation's parameters (operation-level ones override path-level ones), keyed by `in` and
 * name; header names are case-insensitive, path parameters are keyed by their position in the path.
 */
function parametersOf(doc: Json, op: Operation): Map<string, Json> {
  const template = [...op.path.matchAll(/\{([^}]*)\}/g)].map((match) => match[1]);
  const parameters = new Map<string, Json>();
  for (const node of [...(op.pathItem.parameters ?? []), ...(op.operation.parameters ?? [])]) {
    const parameter = followRef<Json | undefined>(doc, node);
    if (!parameter) continue;
    const name =
      parameter.in === 'header' ? String(parameter.name).toLowerCase() : parameter.in === 'path' ? `#${template.indexOf(parameter.name)}` : parameter.name;
    parameters.set(`${parameter.in}:${name}`, parameter);
  }
  return parameters;
}

/** Breaking changes, warnings and other differences between two bundled OpenAPI 3.0 documents. */
export function diffContracts(before: Json, after: Json): ContractDiff {
  return new Differ(before, after).run();
}

// ---------------------------------------------------------------------------------------------
// CLI

const root = resolvePath(__dirname, '..');
/** The bundled contract of the working tree, written by `npm run generate`. */
export const BUNDLE = 'generated/openapi.json';

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  } catch {
    return null;
  }
}

export function formatChange(level: string, change: Change): string {
  return `${level.padEnd(8)} ${change.operationId ?? '-'}  ${change.location}\n         ${change.message} [${change.rule}]`;
}

/** The last published contract, written by `npm run spec:publish`. */
export const PUBLISHED = 'spec/published/openapi.json';

/** Prints a diff and its summary line. */
export function report(diff: ContractDiff, log: (line: string) => void): void {
  for (const change of diff.breaking) log(formatChange('BREAKING', change));
  for (const change of diff.warnings) log(formatChange('WARNING', change));
  for (const change of diff.info) log(formatChange('info', change));
  log(`${diff.breaking.length} breaking, ${diff.warnings.length} warning(s), ${diff.info.length} info`);
}

/** The text of a file of the working tree (or of `dir`), or null. */
function readWorking(path: string, dir = root): string | null {
  try {
    return readFileSync(resolvePath(dir, path), 'utf8');
  } catch {
    return null;
  }
}

/** The CLI; `dir` (tests) holds the working-tree files instead of the repository. */
export function main(argv: string[], log: (line: string) => void = console.log, dir = root): number {
  const usage = 'usage: npm run spec:diff [-- <git-ref>]   (default: against the published contract, spec/published/openapi.json)';
  if (argv.length > 1 || argv[0] === '--help' || argv[0] === '-h' || argv[0]?.startsWith('-')) {
    log(usage);
    return 2;
  }
  const ref = argv[0];
  let before: string | null;
  let against: string;
  if (ref === undefined) {
    before = readWorking(PUBLISHED, dir);
    against = PUBLISHED;
    if (before === null) {
      log(`spec:diff: no ${PUBLISHED}: publish the contract once with npm run spec:publish`);
      return 2;
    }
  } else {
    if (git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]) === null) {
      log(`spec:diff: ${ref} is not a git commit, branch or tag`);
      return 2;
    }
    before = git(['show', `${ref}:${BUNDLE}`]);
    against = ref;
    if (before === null) {
      log(`spec:diff: ${ref} has no ${BUNDLE}: nothing to compare against`);
      return 2;
    }
  }
  const working = readWorking(BUNDLE, dir);
  if (working === null) {
    log(`spec:diff: no ${BUNDLE} in the working tree: run npm run generate`);
    return 2;
  }
  const diff = diffContracts(JSON.parse(before), JSON.parse(working));
  log(`spec:diff: ${BUNDLE} (working tree) against ${against}`);
  report(diff, log);
  return diff.breaking.length ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
