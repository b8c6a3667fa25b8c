/**
 * Invalid variants of valid requests: a required field missing, a wrong type, out of range,
 * an extra property, a bad enum value, a bad format, a huge string, a deep object. Each
 * mutation says when it applies to an operation; the harness expects 400 (413 for bodies over
 * the size limit) with the documented error envelope.
 */
import { flatten, type Json, type Operation } from '../support/contract';
import { gzipSync } from 'node:zlib';
import { bodyMediaOf, encodeBody, parametersOf, type FuzzRequest } from './requests';

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

/**
 * Characters no text field accepts (src/domain/text.ts): NUL, C0 and C1 controls, DEL,
 * bidirectional overrides and isolates, zero-width and invisible characters, and (in JSON,
 * the one encoding that can carry them) lone surrogates.
 */
const FORBIDDEN_CHARACTERS = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000b',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009f',
  '\u00ad',
  '\u061c',
  '\u200b',
  '\u200d',
  '\u200e',
  '\u202e',
  '\u2060',
  '\u2066',
  '\u2069',
  '\ufeff',
];
const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', 'a\ud83d', '\ude00b'];
/** Byte sequences that are not UTF-8: a stray continuation byte, an overlong form, an encoded surrogate, 0xFF, a cut sequence. */
const INVALID_UTF8 = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe], [0xe2, 0x82]];
/** Credential fields of the OAuth endpoints' forms: refused as 400 invalid_request or counted as a failed authentication (401). */
const CREDENTIAL_FIELDS = ['client_id', 'client_secret'];

/** `text` with `bad` put at the start, the middle or the end, by `pick`. */
function spliced(text: string, bad: string, pick: number): string {
  const at = [0, Math.floor(text.length / 2), text.length][pick % 3];
  return text.slice(0, at) + bad + text.slice(at);
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

/**
 * Date-times and dates the calendar does not have or the contract cannot express:
 * month 13, 30 February, 29 February of a common year, hour 24 and 25, minute and
 * second 60, an offset of 24 hours, year 10000, before 1970, an offset pushing 31 December
 * 9999 into year 10000.
 */
const IMPOSSIBLE_DATE_TIMES = [
  '2026-13-01T00:00:00Z',
  '2026-02-30T10:00:00Z',
  '2025-02-29T00:00:00Z',
  '2026-04-31T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-11-03T25:00:00Z',
  '2026-01-01T10:60:00Z',
  '2026-06-30T23:59:60Z',
  '2026-01-01T10:00:00+24:00',
  '10000-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '9999-12-31T23:00:00-05:00',
];
const IMPOSSIBLE_DATES = ['2026-13-01', '2026-02-30', '2025-02-29', '2026-04-31', '2026-00-10', '10000-01-01', '1969-12-31'];
const isCalendarField = (schema: Json) => schema.format === 'date-time' || schema.format === 'date';

/** The paths (property names, `*` for an array's items) of the date and date-time fields nested in a body schema. */
function nestedCalendarPaths(schema: Json, prefix: string[] = [], depth = 0): string[][] {
  if (!schema || typeof schema !== 'object' || depth > 6) return [];
  if (isCalendarField(schema) && prefix.length > 1) return [prefix];
  const items = schema.items ? nestedCalendarPaths(flatten(schema.items), [...prefix, '*'], depth + 1) : [];
  const properties = Object.entries((schema.properties ?? {}) as Record<string, Json>).flatMap(([name, sub]) =>
    nestedCalendarPaths(flatten(sub), [...prefix, name], depth + 1),
  );
  return [...items, ...properties];
}

/** A copy of `body` with `value` at `path` (an existing array item chosen by `pick`, or one made). */
function withNested(body: unknown, path: string[], value: unknown, pick: number): unknown {
  const [head, ...rest] = path;
  if (head === '*') {
    const items = Array.isArray(body) && body.length > 0 ? [...body] : [{}];
    const at = pick % items.length;
    items[at] = rest.length ? withNested(items[at], rest, value, pick) : value;
    return items;
  }
  const object = { ...(body && typeof body === 'object' && !Array.isArray(body) ? body : {}) } as Record<string, unknown>;
  object[head] = rest.length ? withNested(object[head], rest, value, pick) : value;
  return object;
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
  if (typed.length)
    mutations.push({
      kind: 'wrong type',
      expected: [400],
      apply: (r, pick) => {
        const field = choose(typed, pick);
        return withField(r, field, wrongType(field, isForm));
      },
    });

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
    mutations.push({
      kind: 'bad format',
      expected: [400],
      apply: (r, pick) => {
        const field = choose(formatted, pick);
        return withField(r, field, badFormatValue(field.schema));
      },
    });
  }

  // Impossible calendar dates in every date and date-time field: parameters, body fields, and fields nested in the body.
  const calendarFields = of((field) => isCalendarField(field.schema));
  const nestedCalendar = bodySchema && !isForm ? nestedCalendarPaths(bodySchema) : [];
  if (calendarFields.length || nestedCalendar.length) {
    mutations.push({
      kind: 'impossible calendar date',
      expected: [400],
      apply: (r, pick) => {
        const choice = pick % (calendarFields.length + nestedCalendar.length);
        const isDate = (schema: Json) => schema.format === 'date';
        const value = (date: boolean) => choose(date ? IMPOSSIBLE_DATES : IMPOSSIBLE_DATE_TIMES, Math.floor(pick / 3));
        if (choice < calendarFields.length) {
          const field = calendarFields[choice];
          return withField(r, field, value(isDate(field.schema)));
        }
        const path = nestedCalendar[choice - calendarFields.length];
        return { ...r, body: { mediaType: r.body!.mediaType, value: withNested(r.body?.value, path, value(false), Math.floor(pick / 7)) } };
      },
    });
  }

  if (bodySchema && bodySchema.additionalProperties === false) {
    mutations.push({
      kind: 'extra property',
      expected: [400],
      apply: (r) => ({ ...r, body: { mediaType: r.body!.mediaType, value: { ...(r.body!.value as object), zzUndocumented: 1 } } }),
    });
  }
  if (rejectsUnknown) {
    mutations.push({ kind: 'unknown query parameter', expected: [400], apply: (r) => ({ ...r, query: { ...r.query, zz_undocumented: '1' } }) });
  }

  if (media) {
    const strings = of((field) => field.location === 'body' && typeOf(field.schema) === 'string');
    mutations.push({
      kind: 'huge string',
      expected: [400, 413],
      apply: (r, pick) =>
        strings.length ? withField(r, choose(strings, pick), HUGE) : { ...r, body: { mediaType: r.body!.mediaType, raw: JSON.stringify(HUGE) } },
    });
  } else if (rejectsUnknown) {
    mutations.push({ kind: 'huge string', expected: [400], apply: (r) => ({ ...r, query: { ...r.query, zz_huge: 'x'.repeat(8 * 1024) } }) });
  }

  // Forbidden characters in every text field (body and query), credentials included.
  const texts = of((field) => (field.location === 'body' || field.location === 'query') && typeOf(field.schema) === 'string');
  if (texts.length) {
    const textFieldsExpect = texts.some((field) => CREDENTIAL_FIELDS.includes(field.name)) ? [400, 401] : [400];
    mutations.push({
      kind: 'forbidden character in a text field',
      expected: textFieldsExpect,
      apply: (r, pick) => {
        const field = choose(texts, pick);
        // Lone surrogates cannot travel in a form or a URL (UTF-8 has no bytes for them): JSON only.
        const characters = field.location === 'body' && !isForm ? [...FORBIDDEN_CHARACTERS, ...LONE_SURROGATES] : FORBIDDEN_CHARACTERS;
        const bad = choose(characters, Math.floor(pick / texts.length));
        const current = field.location === 'body' ? (r.body?.value as Record<string, unknown> | undefined)?.[field.name] : r.query[field.name];
        return withField(r, field, spliced(typeof current === 'string' && current !== '' ? current : 'texte', bad, Math.floor(pick / 7)));
      },
    });
  }

  // Forbidden characters in path parameters (percent-encoded in the URL). Headers cannot carry
  // them at all: the HTTP client refuses control characters in header values before sending.
  const pathTexts = parametersOf(target).filter((p) => p.in === 'path' && typeOf(flatten(p.schema ?? {})) === 'string');
  if (pathTexts.length) {
    mutations.push({
      kind: 'forbidden character in a path parameter',
      expected: [400],
      apply: (r, pick) => {
        const parameter = choose(pathTexts, pick);
        const bad = choose(FORBIDDEN_CHARACTERS, Math.floor(pick / pathTexts.length));
        const current = r.path[parameter.name];
        return {
          ...r,
          path: { ...r.path, [parameter.name]: spliced(typeof current === 'string' && current !== '' ? current : 'texte', bad, Math.floor(pick / 7)) },
        };
      },
    });
  }

  // Forbidden characters inside an HTTP Basic credential (key or secret), where Basic is accepted.
  const requirements = (target.operation.security ?? []) as Record<string, string[]>[];
  if (requirements.some((requirement) => 'basicAuth' in requirement)) {
    mutations.push({
      kind: 'forbidden character in a Basic credential',
      expected: [400, 401],
      apply: (r, pick) => {
        const bad = choose([...FORBIDDEN_CHARACTERS, ...LONE_SURROGATES], pick);
        const [key, secret] = pick % 2 === 0 ? [spliced('ck_fuzz', bad, pick), 'cs_fuzz'] : ['ck_fuzz', spliced('cs_fuzz', bad, pick)];
        // Encoded as UTF-8 (a lone surrogate becomes U+FFFD there), and once as RFC 6749 §2.3.1's form-urlencoding.
        const credential = pick % 3 === 0 ? `${encodeURIComponent(key.replace(/[\ud800-\udfff]/g, '\u0000'))}:${secret}` : `${key}:${secret}`;
        return { ...r, headers: { ...r.headers, authorization: `Basic ${Buffer.from(credential, 'utf8').toString('base64')}` } };
      },
    });
  }

  // Broken encodings: bytes that are not UTF-8 inside a body, a body claiming gzip that is not.
  if (media) {
    mutations.push({
      kind: 'invalid UTF-8 in the body',
      expected: [400],
      apply: (r, pick) => {
        const marker = 'zzMARKzz';
        const strings = of((field) => field.location === 'body' && typeOf(field.schema) === 'string');
        const marked = strings.length ? withField(r, choose(strings, pick), marker) : { ...r, body: { mediaType: r.body!.mediaType, value: marker } };
        const [before, after] = encodeBody(r.body!.mediaType, marked.body!.value).split(marker);
        const bytes = Buffer.concat([Buffer.from(before ?? ''), Buffer.from(choose(INVALID_UTF8, Math.floor(pick / 3))), Buffer.from(after ?? '')]);
        return { ...r, body: { mediaType: r.body!.mediaType, raw: bytes } };
      },
    });
    mutations.push({
      kind: 'Content-Encoding: gzip on a body that is not gzip',
      expected: [400],
      apply: (r, pick) => {
        const plain = encodeBody(r.body!.mediaType, r.body!.value);
        // The plain body, or a gzip stream cut short, or one with its last bytes (CRC, length) wrong.
        const zipped = gzipSync(plain);
        const raw = [
          Buffer.from(plain),
          zipped.subarray(0, Math.max(10, zipped.length - 9)),
          Buffer.concat([zipped.subarray(0, zipped.length - 4), Buffer.from([0, 0, 0, 0])]),
        ][pick % 3];
        return { ...r, headers: { ...r.headers, 'content-encoding': 'gzip' }, body: { mediaType: r.body!.mediaType, raw } };
      },
    });
  }

  if (media && !isForm) {
    const bodyFields = of((field) => field.location === 'body' && typeOf(field.schema) !== undefined);
    mutations.push({
      kind: 'deep object',
      expected: [400],
      apply: (r, pick) =>
        bodyFields.length ? withField(r, choose(bodyFields, pick), deep(200)) : { ...r, body: { mediaType: 'application/json', value: [deep(200)] } },
    });
  } else if (rejectsUnknown) {
    mutations.push({ kind: 'deep object', expected: [400], apply: (r) => ({ ...r, query: { ...r.query, [`a${'[b]'.repeat(50)}`]: '1' } }) });
  }
  // Arrays and objects nested thousands deep in a few KB, as the whole body or
  // inside a field; sent as JSON to every operation but the form-encoded ones, body or not (a GET
  // carries none: fetch refuses to send one).
  if (!isForm && (media || (rejectsUnknown && target.method !== 'get'))) {
    mutations.push({
      kind: 'deeply nested JSON',
      expected: [400],
      apply: (r, pick) => {
        const levels = choose([33, 1_000, 2_000], pick); // 2,000 objects: 12 KB, under the test servers' 16 KB limit
        const nested = pick % 2 === 0 ? `${'['.repeat(levels)}${']'.repeat(levels)}` : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
        const bodyFields = of((field) => field.location === 'body');
        const marker = '"zzDEEPzz"';
        const raw =
          bodyFields.length && pick % 3 === 0
            ? encodeBody('application/json', withField(r, choose(bodyFields, pick), 'zzDEEPzz').body!.value).replace(marker, nested)
            : nested;
        return { ...r, body: { mediaType: 'application/json', raw } };
      },
    });
  }
  return mutations;
}
