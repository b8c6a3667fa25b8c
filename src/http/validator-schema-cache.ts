import { createRequire } from 'node:module';

/** The part of Ajv the validator's compile goes through. */
interface AjvLike {
  getSchema(key: string): unknown;
  addSchema(schema: object, key: string): unknown;
}
type UseAjvCache = (ajv: AjvLike, schema: Record<string, unknown>, key: string) => unknown;

/** The validator's helper that compiles every request and response schema (resolved from its own folder). */
const validatorUtil = createRequire(require.resolve('express-openapi-validator'))('./middlewares/util') as { useAjvCache: UseAjvCache & { lean?: true } };

/** How many compiles were spared: tests read it to prove the validator goes through the patch. */
export const validatorSchemaCacheStats = { sharedResponses: 0, pathsLeftOut: 0 };

/** True when no `$ref` of the contract points into its `paths` (then a schema can be compiled without them). */
function noRefIntoPaths(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(noRefIntoPaths);
  if (!node || typeof node !== 'object') return true;
  return Object.entries(node).every(([key, value]) => (key === '$ref' ? !(typeof value === 'string' && value.startsWith('#/paths')) : noRefIntoPaths(value)));
}

/** The response schema of a schema the response validator built (`{ type, properties: { response }, components, paths }`), else null. */
function responseOf(schema: Record<string, unknown>): object | null {
  const properties = schema.properties as Record<string, unknown> | undefined;
  if (!properties || Object.keys(properties).length !== 1 || typeof properties.response !== 'object' || properties.response === null) return null;
  return Object.keys(schema).every((name) => ['type', 'properties', 'components', 'paths'].includes(name)) ? properties.response : null;
}

/**
 * express-openapi-validator 5.6 compiles one schema per operation for its request, and one per
 * operation, status and media type for its responses, each carrying the whole contract's
 * `components` and `paths` so that `$ref`s resolve. Ajv walks the whole of each schema it is
 * given (to collect its `$id`s) and compiles each one on its own, so the cost of every compile
 * grows with the contract, and the shared responses (400, 401, 404, 500...) are compiled again
 * for every operation that lists them. A profile of a contract test file put two thirds of its
 * CPU there (upstream: the response validator's buildValidators, the request validator's
 * buildMiddleware).
 *
 * Two things are spared, neither changing what is validated:
 * - `paths` is left out of the schema compiled when no `$ref` of the contract points into it
 *   (checked once per contract): `components` still resolves every `$ref`;
 * - a response schema the validator compiles again (the same object: a shared response) is
 *   given to Ajv as the very schema object compiled the first time, which Ajv recognises
 *   without walking or compiling it again.
 */
export function leanValidatorSchemas(): void {
  const original = validatorUtil.useAjvCache;
  if (original.lean) return;
  const pathsUnreferenced = new WeakMap<object, boolean>();
  /** Per Ajv instance: the schema compiled for a response schema object. */
  const responses = new WeakMap<AjvLike, WeakMap<object, Record<string, unknown>>>();
  const lean: UseAjvCache & { lean?: true } = (ajv, schema, key) => {
    const { paths, components } = schema;
    if (!paths || typeof paths !== 'object') return original(ajv, schema, key);
    let unreferenced = pathsUnreferenced.get(paths);
    if (unreferenced === undefined) pathsUnreferenced.set(paths, (unreferenced = noRefIntoPaths(paths) && noRefIntoPaths(components)));
    if (!unreferenced) return original(ajv, schema, key);
    const response = responseOf(schema);
    if (response) {
      let compiled = responses.get(ajv);
      if (!compiled) responses.set(ajv, (compiled = new WeakMap()));
      const first = compiled.get(response);
      if (first && first.components === components) {
        validatorSchemaCacheStats.sharedResponses += 1;
        return original(ajv, first, key);
      }
      const { paths: _paths, ...rest } = schema;
      compiled.set(response, rest);
      validatorSchemaCacheStats.pathsLeftOut += 1;
      return original(ajv, rest, key);
    }
    const { paths: _paths, ...rest } = schema;
    validatorSchemaCacheStats.pathsLeftOut += 1;
    return original(ajv, rest, key);
  };
  lean.lean = true;
  validatorUtil.useAjvCache = lean;
}
