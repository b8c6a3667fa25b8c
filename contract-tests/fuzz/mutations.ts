/**
 * Invalid variants of valid requests: a required field missing, a wrong type, out of range,
 * an extra property, a bad enum value, a bad format, a huge string, a deep object. Each
 * mutation says when it applies to an operation; the harness expects 400 (413 for bodies over
 * the size limit) with the documented error envelope.
 */
import { flatten, type Json, type Operation } from '../support/contract';
import { bodyMediaOf, parametersOf, type FuzzRequest } from './requests';

export interface Mutation {
  kind: string;
  /** Statuses the server may answer. */
  expected: number[];
  apply(request: FuzzRequest, pick: number): FuzzRequest;
}

interface Field {
  /** Where the field travels. */
  location: 'query' | 'header' | 'body';
  name: string;
  schema: Json;
  required: boolean;
}

const HUGE = 'x'.repeat(256 * 1024);
const deep = (levels: number): unknown => (levels === 0 ? 'bottom' : { nested: deep(levels - 1) });
const choose = <T>(items: T[], pick: number): T => items[pick % items.length];

function fieldsOf(target: Operation): Field[] {
  const parameters = parametersOf(target)
    .filter((p) => p.in === 'query' || p.in === 'header')
    .map((p): Field => ({ location: p.in, name: p.name, schema: flatten(p.schema ?? {}), required: Boolean(p.required) }));
  const media = bodyMediaOf(target);
  const body = media ? flatten(media.schema) : {};
  const bodyFields = Object.entries((body.properties ?? {}) as Record<string, Json>).map(
    ([name, schema]): Field => ({ location: 'body', name, schema: flatten(schema), required: ((body.required ?? []) as string[]).includes(name) }),
  );
  return [...parameters, ...bodyFields];
}

/** Sets (or, with `undefined`, removes) one field of a request, returning a new request. */
function withField(request: FuzzRequest, field: Field, value: unknown): FuzzRequest {
  const next: FuzzRequest = { ...request, query: { ...request.query }, headers: { ...request.headers } };
  if (field.location === 'body') {
    const body = { ...((request.body?.value ?? {}) as Record<string, unknown>) };
    if (value === undefined) delete body[field.name];
    else body[field.name] = value;
    next.body = { mediaType: request.body!.mediaType, value: body };
  } else if (field.location === 'query') {
    if (value === undefined) delete next.query[field.name];
    else next.query[field.name] = value;
  } else if (value === undefined) delete next.headers[field.name];
  else next.headers[field.name] = String(value);
  return next;
}

const FORMATS = ['date-time', 'date', 'uri', 'email', 'uuid'];
const BAD_STRINGS = ['not valid ¤ %', ' ', '', '\u0000'];

/** A string the field's format or pattern refuses, if the harness knows one. */
function badFormatValue(schema: Json): string | undefined {
  if (FORMATS.includes(schema.format)) return 'not valid ¤ %';
  if (schema.pattern === undefined) return undefined;
  const pattern = new RegExp(schema.pattern);
  return BAD_STRINGS.find((candidate) => !pattern.test(candidate));
}

const typeOf = (schema: Json) => schema.type ?? (schema.properties ? 'object' : undefined);

/** A value of another JSON type than the schema's (or, in a form or the query, a repeated parameter / non-number). */
function wrongType(field: Field, isForm: boolean): unknown {
  if (field.location !== 'body' || isForm) {
    if (typeOf(field.schema) === 'integer' || typeOf(field.schema) === 'number') return 'not-a-number';
    if (typeOf(field.schema) === 'boolean') return 'not-a-boolean';
    return field.location === 'body' ? ['repeated', 'value'] : undefined;
  }
  return typeOf(field.schema) === 'string' ? 12345 : 'a string where another type is expected';
}

export function mutationsFor(target: Operation): Mutation[] {
  const fields = fieldsOf(target);
  const media = bodyMediaOf(target);
  const isForm = media?.mediaType === 'application/x-www-form-urlencoded';
  const bodySchema = media ? flatten(media.schema) : undefined;
  const rejectsUnknown = target.operation['x-unknown-parameters'] !== 'ignore';
  const mutations: Mutation[] = [];
  const of = (predicate: (field: Field) => boolean) => fields.filter(predicate);

  const required = of((field) => field.required);
  if (required.length) mutations.push({ kind: 'missing required field', expected: [400], apply: (r, pick) => withField(r, choose(required, pick), undefined) });

  const typed = of((field) => wrongType(field, isForm) !== undefined && typeOf(field.schema) !== undefined);
  if (typed.length) mutations.push({ kind: 'wrong type', expected: [400], apply: (r, pick) => { const field = choose(typed, pick); return withField(r, field, wrongType(field, isForm)); } });

  const ranged = of((field) => field.schema.maximum !== undefined || field.schema.minimum !== undefined || field.schema.maxLength !== undefined);
  if (ranged.length) {
    mutations.push({
      kind: 'out of range',
      expected: [400],
      apply: (r, pick) => {
        const field = choose(ranged, pick);
        const { schema } = field;
        const value = schema.maximum !== undefined ? schema.maximum + 1 : schema.minimum !== undefined ? schema.minimum - 1 : 'x'.repeat(schema.maxLength + 1);
        return withField(r, field, value);
      },
    });
  }

  const enums = of((field) => Array.isArray(field.schema.enum));
  if (enums.length) mutations.push({ kind: 'bad enum value', expected: [400], apply: (r, pick) => withField(r, choose(enums, pick), 'zz-not-in-enum') });

  const formatted = of((field) => badFormatValue(field.schema) !== undefined);
  if (formatted.length) {
    mutations.push({ kind: 'bad format', expected: [400], apply: (r, pick) => { const field = choose(formatted, pick); return withField(r, field, badFormatValue(field.schema)); } });
  }

  if (bodySchema && bodySchema.additionalProperties === false) {
    mutations.push({ kind: 'extra property', expected: [400], apply: (r) => ({ ...r, body: { mediaType: r.body!.mediaType, value: { ...(r.body!.value as object), zzUndocumented: 1 } } }) });
  }
  if (rejectsUnknown) {
    mutations.push({ kind: 'unknown query parameter', expected: [400], apply: (r) => ({ ...r, query: { ...r.query, zz_undocumented: '1' } }) });
  }

  if (media) {
    const strings = of((field) => field.location === 'body' && typeOf(field.schema) === 'string');
    mutations.push({
      kind: 'huge string',
      expected: [400, 413],
      apply: (r, pick) => (strings.length ? withField(r, choose(strings, pick), HUGE) : { ...r, body: { mediaType: r.body!.mediaType, raw: JSON.stringify(HUGE) } }),
    });
  } else if (rejectsUnknown) {
    mutations.push({ kind: 'huge string', expected: [400], apply: (r) => ({ ...r, query: { ...r.query, zz_huge: 'x'.repeat(8 * 1024) } }) });
  }

  if (media && !isForm) {
    const bodyFields = of((field) => field.location === 'body' && typeOf(field.schema) !== undefined);
    mutations.push({
      kind: 'deep object',
      expected: [400],
      apply: (r, pick) => (bodyFields.length ? withField(r, choose(bodyFields, pick), deep(200)) : { ...r, body: { mediaType: 'application/json', value: [deep(200)] } }),
    });
  } else if (rejectsUnknown) {
    mutations.push({ kind: 'deep object', expected: [400], apply: (r) => ({ ...r, query: { ...r.query, [`a${'[b]'.repeat(50)}`]: '1' } }) });
  }
  return mutations;
}
