/**
 * The SDK reads a `oneOf` as the one variant a value is (the feed event's `data`, a refusal's
 * `details`): each variant's example, built from the contract's examples, decodes to that
 * variant's fields only, with its dates as dates, and encodes back to the same JSON. The stock
 * generator merged every variant, so an operation event carried `disabledAt: Invalid Date`.
 */
import { document, resolve, type Json } from './support/contract';
import { ErrorDetailsFromJSON, ErrorDetailsToJSON, PartnerEventDataFromJSON, PartnerEventDataToJSON } from '../generated/sdk';

const schemas = document.components.schemas as Record<string, Json>;

/** A value of the schema from the contract's examples: the schema's own example, else one per property. */
function example(node: Json): unknown {
  const schema = resolve(node);
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.allOf)) return Object.assign({}, ...(schema.allOf as Json[]).map(example));
  if (Array.isArray(schema.oneOf)) return example((schema.oneOf as Json[])[0]);
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.properties)
    return Object.fromEntries(Object.entries(schema.properties as Record<string, Json>).map(([name, property]) => [name, example(property)]));
  if (schema.type === 'array') return [example(schema.items as Json)];
  return schema.nullable ? null : undefined;
}

const variantsOf = (schema: Json) => (schema.oneOf as Json[]).map((variant) => String(variant.$ref).split('/').pop()!);
const eventData = (schemas.PartnerEvent.properties as Record<string, Json>).data;

describe.each([
  ["an event's data", eventData, PartnerEventDataFromJSON, PartnerEventDataToJSON],
  ["a refusal's details", schemas.ErrorDetails, ErrorDetailsFromJSON, ErrorDetailsToJSON],
] as const)('the SDK reads %s as one of its variants', (_, schema, fromJson, toJson) => {
  it.each(variantsOf(schema))('when the value is a %s, then the SDK gives its fields only, and writes it back as it came', (variant) => {
    const json = JSON.parse(JSON.stringify(example({ $ref: `#/components/schemas/${variant}` }))) as Json;
    const read = fromJson(json) as unknown as Json;
    expect(
      Object.keys(read)
        .filter((key) => read[key] !== undefined)
        .sort(),
    ).toEqual(Object.keys(json).sort()); // absent optional fields are undefined
    for (const value of Object.values(read)) expect(value instanceof Date ? Number.isNaN(value.getTime()) : false).toBe(false);
    expect(JSON.parse(JSON.stringify(toJson(read as never)))).toEqual(json);
  });
});

it('when a value is of a variant the SDK does not know yet, then it is passed through as it came', () => {
  expect(PartnerEventDataFromJSON({ somethingNew: 1 })).toEqual({ somethingNew: 1 });
});
