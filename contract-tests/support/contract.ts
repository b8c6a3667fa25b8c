/**
 * The published contract (generated/openapi.json) as the tests read it: operations, resolved
 * references, and an Ajv check of answers in which every documented object is closed, so a
 * field the contract does not document fails (the contract itself keeps objects open for
 * extension).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import contract from '../../generated/openapi.json';
import { followRef } from '../../scripts/contract-ref';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking an arbitrary OpenAPI document

export const document = contract as Json;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('password', true);

/** Follows `$ref`s until a concrete node. */
export function resolve(node: Json): Json {
  return followRef(document, node);
}

/**
 * A self-contained copy of a schema: references inlined, `allOf` merged into one object
 * schema. (The contract has no circular references: Prism forbids them.)
 */
export function flatten(node: Json): Json {
  const schema = resolve(node);
  if (!schema || typeof schema !== 'object') return schema;
  const copy: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties') copy.properties = Object.fromEntries(Object.entries(value as Json).map(([name, sub]) => [name, flatten(sub)]));
    else if (key === 'items' || key === 'not' || (key === 'additionalProperties' && typeof value === 'object')) copy[key] = flatten(value as Json);
    else if (key === 'oneOf' || key === 'anyOf') copy[key] = (value as Json[]).map(flatten);
    else if (key !== 'allOf') copy[key] = value;
  }
  for (const part of (schema.allOf ?? []) as Json[]) {
    const merged = flatten(part);
    copy.properties = { ...copy.properties, ...merged.properties };
    copy.required = [...new Set([...(copy.required ?? []), ...(merged.required ?? [])])];
    for (const [key, value] of Object.entries(merged)) if (!(key in copy)) copy[key] = value;
  }
  return copy;
}

/** Closes every object that lists its properties and does not say otherwise. */
function close(schema: Json): Json {
  if (!schema || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map(close);
  const copy: Json = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, key === 'enum' || key === 'example' ? value : close(value)]));
  if (copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

export interface Operation {
  operationId: string;
  method: string;
  path: string;
  operation: Json;
}

export const operations: Operation[] = Object.entries(document.paths as Json).flatMap(([path, item]) =>
  Object.entries(item as Json)
    .filter(([method]) => ['get', 'put', 'post', 'delete', 'patch'].includes(method))
    .map(([method, operation]) => ({ operationId: (operation as Json).operationId as string, method, path, operation: operation as Json })),
);

export function findOperation(operationId: string): Operation {
  const found = operations.find((candidate) => candidate.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId} in the contract`);
  return found;
}

/** Per documented schema object: the schemas of shared responses (400, 401, 404...) are compiled once, not once per operation. */
const validators = new WeakMap<object, ValidateFunction>();

/** Why the answer breaks the contract, or null when `status` is documented and `body` matches its closed schema. */
export function contractViolation(operationId: string, status: number, body: unknown, mediaType = 'application/json'): string | null {
  const { operation } = findOperation(operationId);
  const documented = operation.responses[String(status)] ?? operation.responses.default;
  if (!documented) return `${operationId} does not document status ${status}`;
  const media = resolve(documented).content?.[mediaType];
  if (!media) return `${operationId} ${status} does not document a ${mediaType} body`;
  if (!media.schema) return null;
  let validate = validators.get(media.schema);
  if (!validate) {
    validate = ajv.compile(close(flatten(media.schema)));
    validators.set(media.schema, validate);
  }
  return validate(body) ? null : `${operationId} ${status} ${mediaType} body does not match the contract: ${ajv.errorsText(validate.errors)}`;
}

/** Throws unless `status` is documented for the operation and `body` matches its closed schema. */
export function expectDocumented(operationId: string, status: number, body: unknown): void {
  const violation = contractViolation(operationId, status, body);
  if (violation) throw new Error(`${violation}\n${JSON.stringify(body)}`);
}

/** The operation's header parameters (such as Idempotency-Key) with their documented examples. */
export function exampleHeaders(target: Operation): Record<string, string> {
  const parameters = ((target.operation.parameters ?? []) as Json[]).map(resolve);
  return Object.fromEntries(
    parameters
      .filter((parameter) => parameter.in === 'header')
      .map((parameter) => [parameter.name as string, String(parameter.example ?? parameter.schema?.example)]),
  );
}

/** The operation's required query parameters with their documented examples, as a query string ('' when none). */
export function exampleQuery(target: Operation): string {
  const parameters = ((target.operation.parameters ?? []) as Json[]).map(resolve);
  const required = parameters.filter((parameter) => parameter.in === 'query' && parameter.required);
  if (required.length === 0) return '';
  return `?${new URLSearchParams(required.map((parameter) => [parameter.name as string, String(parameter.example ?? resolve(parameter.schema ?? {}).example)])).toString()}`;
}

/** The operation's path with each path parameter replaced by its documented example. */
export function examplePath(target: Operation): string {
  const parameters = ((target.operation.parameters ?? []) as Json[]).map(resolve);
  return target.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const parameter = parameters.find((candidate) => candidate.in === 'path' && candidate.name === name);
    const example = parameter?.example ?? (parameter ? flatten(parameter.schema ?? {}).example : undefined);
    if (example === undefined) throw new Error(`${target.operationId}: path parameter ${name} has no example`);
    return encodeURIComponent(String(example));
  });
}
