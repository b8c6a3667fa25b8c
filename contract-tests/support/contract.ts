/**
 * Checks answers against the published contract (generated/openapi.json) with Ajv: the status
 * must be documented for the operation and the JSON body must match its schema.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import contract from '../../generated/openapi.json';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking an arbitrary OpenAPI document

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('password', true);

/** The document with local refs made absolute, so schemas can be compiled on their own. */
function absoluteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(absoluteRefs);
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' ? `contract${value}` : absoluteRefs(value)]),
    );
  }
  return node;
}
ajv.addSchema(absoluteRefs(contract) as Json, 'contract');

export function resolve(node: Json): Json {
  let current = node;
  while (current?.$ref) {
    current = current.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((value: Json, key: string) => value[key.replace(/~1/g, '/').replace(/~0/g, '~')], contract as Json);
  }
  return current;
}

export function findOperation(operationId: string): { path: string; method: string; operation: Json } {
  for (const [path, item] of Object.entries((contract as Json).paths as Json)) {
    for (const [method, operation] of Object.entries(item as Json)) {
      if ((operation as Json).operationId === operationId) return { path, method, operation: operation as Json };
    }
  }
  throw new Error(`no operation ${operationId} in the contract`);
}

const validators = new Map<string, ValidateFunction>();

/** Throws unless `status` is documented for the operation and `body` matches its JSON schema. */
export function expectDocumented(operationId: string, status: number, body: unknown): void {
  const { operation } = findOperation(operationId);
  const documented = operation.responses[String(status)];
  if (!documented) throw new Error(`${operationId} does not document status ${status}`);
  const schema = resolve(documented).content?.['application/json']?.schema;
  if (!schema) throw new Error(`${operationId} ${status} documents no JSON body`);
  const key = `${operationId} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(absoluteRefs(schema) as Json);
    validators.set(key, validate);
  }
  if (!validate(body)) {
    throw new Error(`${key} body does not match the contract: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
  }
}
