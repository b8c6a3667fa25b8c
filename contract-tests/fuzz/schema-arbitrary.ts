/**
 * JSON Schema (the subset the contract uses) to fast-check arbitraries of valid values. No
 * mature converter exists on npm; this one covers: type, enum, nullable, pattern, format,
 * min/max length, minimum/maximum, items, min/max items, properties, required, min/maxProperties, uniqueItems,
 * allOf (via flatten), oneOf/anyOf. Anything else fails loudly so the harness never silently under-tests.
 */
import fc from 'fast-check';
import { flatten, type Json } from '../support/contract';

const KNOWN_KEYS = new Set([
  'type',
  'enum',
  'nullable',
  'pattern',
  'format',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'items',
  'minItems',
  'maxItems',
  'properties',
  'required',
  'additionalProperties',
  'oneOf',
  'anyOf',
  'minProperties',
  'maxProperties',
  'uniqueItems',
  'description',
  'example',
  'title',
  'default',
  'readOnly',
  'writeOnly',
  'deprecated',
]);

function stringArbitrary(schema: Json): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, minLength + 40);
  switch (schema.format) {
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString());
    case 'date':
      return fc
        .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10));
    case 'uri':
      return fc.webUrl();
    case 'email':
      return fc.emailAddress();
    case 'uuid':
      return fc.uuid();
    case undefined:
    case 'password':
      break;
    default:
      throw new Error(`schema-arbitrary: unsupported string format ${schema.format}`);
  }
  if (schema.pattern) {
    return fc.stringMatching(new RegExp(schema.pattern)).filter((value) => value.length >= minLength && value.length <= (schema.maxLength ?? Infinity));
  }
  return fc.string({ minLength, maxLength, unit: 'grapheme' });
}

/** An arbitrary of values valid against `node`. */
export function schemaArbitrary(node: Json, depth = 0): fc.Arbitrary<unknown> {
  const schema = flatten(node);
  for (const key of Object.keys(schema)) {
    if (!KNOWN_KEYS.has(key) && !key.startsWith('x-')) throw new Error(`schema-arbitrary: unsupported keyword ${key}`);
  }
  const value = valueArbitrary(schema, depth);
  return schema.nullable ? fc.option(value, { nil: null }) : value;
}

function valueArbitrary(schema: Json, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.oneOf || schema.anyOf) return fc.oneof(...((schema.oneOf ?? schema.anyOf) as Json[]).map((part) => schemaArbitrary(part, depth + 1)));
  switch (schema.type ?? (schema.properties ? 'object' : undefined)) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer': {
      const min = (schema.minimum ?? -1_000_000) + (schema.exclusiveMinimum === true ? 1 : 0);
      const max = (schema.maximum ?? 1_000_000) - (schema.exclusiveMaximum === true ? 1 : 0);
      return fc.integer({ min, max });
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const bounds = { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, (schema.minItems ?? 0) + 4) };
      const items = schemaArbitrary(schema.items ?? {}, depth + 1);
      return schema.uniqueItems ? fc.uniqueArray(items, { ...bounds, selector: (item) => JSON.stringify(item) }) : fc.array(items, bounds);
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Json>;
      const model = Object.fromEntries(Object.entries(properties).map(([name, sub]) => [name, schemaArbitrary(sub, depth + 1)]));
      const record = fc.record(model, { requiredKeys: (schema.required ?? []) as string[] });
      const count = (value: object) => Object.keys(value).length;
      return record.filter((value) => count(value) >= (schema.minProperties ?? 0) && count(value) <= (schema.maxProperties ?? Infinity));
    }
    case undefined:
      return depth > 3 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
    default:
      throw new Error(`schema-arbitrary: unsupported type ${schema.type}`);
  }
}
