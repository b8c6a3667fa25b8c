import { createRequire } from 'node:module';

/** The part of Ajv the validator's compile goes through. */
interface AjvLike {
  getSchema(key: string): unknown;
  addSchema(schema: object, key: string): unknown;
  /** The schemas added by key: the validator adds each `components.schemas` entry as `#/components/schemas/<name>`. */
  schemas: Record<string, { schema: unknown } | undefined>;
}
type UseAjvCache = (ajv: AjvLike, schema: Record<string, unknown>, key: string) => unknown;
interface Preprocessor {
  ajv: AjvLike;
  apiDoc: object;
  resolvedSchemaCache: Map<string, unknown>;
}
type ResolveSchema = (this: Preprocessor, schema: unknown) => unknown;

/** The validator's own modules (resolved from its folder). */
const fromValidator = createRequire(require.resolve('express-openapi-validator'));
/** Its helper that compiles every request and response schema. */
const validatorUtil = fromValidator('./middlewares/util') as { useAjvCache: UseAjvCache & { lean?: true } };
/** Its start-up pass over the contract, which resolves each `$ref` once. */
const schemaPreprocessor = fromValidator('./middlewares/parsers/schema.preprocessor') as {
  SchemaPreprocessor: { prototype: { resolveSchema: ResolveSchema & { lean?: true } } };
};

/** How many compiles were spared: tests read it to prove the validator goes through the patch. */
export const validatorSchemaCacheStats = { sharedResponses: 0, pathsLeftOut: 0, componentsTrimmed: 0, refsResolvedUncompiled: 0 };

/** True when `found` holds for an entry (key and value) of `node` or of any object or array within it. */
export function anyEntry(node: unknown, found: (key: string, value: unknown) => boolean): boolean {
  if (Array.isArray(node)) return node.some((item) => anyEntry(item, found));
  if (!node || typeof node !== 'object') return false;
  return Object.entries(node).some(([key, value]) => found(key, value) || anyEntry(value, found));
}

/** True when no `$ref` of the contract points into its `paths` (then a schema can be compiled without them). */
function noRefIntoPaths(node: unknown): boolean {
  return !anyEntry(node, (key, value) => key === '$ref' && typeof value === 'string' && value.startsWith('#/paths'));
}

type Components = Record<string, Record<string, unknown> | undefined>;
const COMPONENT_REF = /^#\/components\/([^/]+)\/([^/]+)(?:\/|$)/;

/**
 * The part of `components` that the `$ref`s of `node` reach, following the `$ref`s of what they
 * reach: the same objects under the same names, so every `$ref` resolves as in the whole. Null
 * when a `$ref` leads anywhere but into `components`.
 */
function reachedComponents(
  node: unknown,
  components: Components,
  reached: Record<string, Record<string, unknown>> = {},
): Record<string, Record<string, unknown>> | null {
  if (!node || typeof node !== 'object') return reached;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const match = COMPONENT_REF.exec(value);
      if (!match) return null;
      const [section, name] = [match[1], match[2].replaceAll('~1', '/').replaceAll('~0', '~')];
      const target = components[section]?.[name];
      if (target === undefined) return null;
      const into = (reached[section] ??= {});
      if (Object.hasOwn(into, name)) continue;
      into[name] = target;
      if (!reachedComponents(target, components, reached)) return null;
    } else if (!reachedComponents(value, components, reached)) {
      return null;
    }
  }
  return reached;
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
 * for every operation that lists them. At start-up its preprocessor also compiles every
 * component schema a `$ref` names, only to read the schema back. Profiles of contract test
 * files put half of their CPU, then a third, there (upstream: the response validator's
 * buildValidators, the request validator's buildMiddleware, SchemaPreprocessor.resolveSchema).
 *
 * What is spared changes nothing that is validated:
 * - `paths` is left out of the schema compiled when no `$ref` of the contract points into it
 *   (checked once per contract);
 * - `components` is cut down to what the schema's `$ref`s reach, directly or through other
 *   components (the same objects under the same names, so each `$ref` resolves to what it did);
 * - a response schema the validator compiles again (the same object: a shared response) is
 *   given to Ajv as the very schema object compiled the first time, which Ajv recognises
 *   without walking or compiling it again;
 * - the preprocessor reads a `$ref` to an added schema from Ajv without compiling it (the
 *   request and response validators compile what they use, when first used), in a document
 *   without discriminators (a discriminator's variants are used as the preprocessor compiled
 *   them, before it takes read-only properties out of `required`). One difference remains: a
 *   component schema Ajv cannot compile (an invalid `pattern`) fails the first request that
 *   uses it instead of the start-up; every CI run sends each operation of the contract through
 *   the validator (examples and fuzz tests), so such a contract does not pass CI.
 */
export function leanValidatorSchemas(): void {
  leanPreprocessor();
  const original = validatorUtil.useAjvCache;
  if (original.lean) return;
  const pathsUnreferenced = new WeakMap<object, boolean>();
  /** Per Ajv instance: the schema compiled for a response schema object, and the components it was compiled with. */
  const responses = new WeakMap<AjvLike, WeakMap<object, { compiled: Record<string, unknown>; components: unknown }>>();
  const lean: UseAjvCache & { lean?: true } = (ajv, schema, key) => {
    const { paths, components, ...operation } = schema;
    if (!paths || typeof paths !== 'object') return original(ajv, schema, key);
    let unreferenced = pathsUnreferenced.get(paths);
    if (unreferenced === undefined) pathsUnreferenced.set(paths, (unreferenced = noRefIntoPaths(paths) && noRefIntoPaths(components)));
    if (!unreferenced) return original(ajv, schema, key);
    const response = responseOf(schema);
    let compiled = response ? responses.get(ajv) : undefined;
    if (response && !compiled) responses.set(ajv, (compiled = new WeakMap()));
    const first = response && compiled?.get(response);
    if (first && first.components === components) {
      validatorSchemaCacheStats.sharedResponses += 1;
      return original(ajv, first.compiled, key);
    }
    validatorSchemaCacheStats.pathsLeftOut += 1;
    const reached = components && typeof components === 'object' ? reachedComponents(operation, components as Components) : null;
    if (reached) validatorSchemaCacheStats.componentsTrimmed += 1;
    const lighter = { ...operation, components: reached ?? components };
    if (response) compiled?.set(response, { compiled: lighter, components });
    return original(ajv, lighter, key);
  };
  lean.lean = true;
  validatorUtil.useAjvCache = lean;
}

function leanPreprocessor(): void {
  const prototype = schemaPreprocessor.SchemaPreprocessor.prototype;
  const original = prototype.resolveSchema;
  if (original.lean) return;
  /** Per document: whether it has discriminators, whose variants the validator uses as compiled here, before its other edits. */
  const discriminated = new WeakMap<object, boolean>();
  const lean: ResolveSchema & { lean?: true } = function (this: Preprocessor, schema) {
    const ref = (schema as { $ref?: unknown } | null)?.$ref;
    let withDiscriminator = discriminated.get(this.apiDoc);
    if (withDiscriminator === undefined) discriminated.set(this.apiDoc, (withDiscriminator = anyEntry(this.apiDoc, (key) => key === 'discriminator')));
    if (typeof ref === 'string' && !withDiscriminator && !this.resolvedSchemaCache.has(ref)) {
      // What the original reads back from `ajv.getSchema(ref).schema`, compiling first.
      const added = this.ajv.schemas[ref];
      if (added) {
        this.resolvedSchemaCache.set(ref, added.schema);
        validatorSchemaCacheStats.refsResolvedUncompiled += 1;
      }
    }
    return original.call(this, schema);
  };
  lean.lean = true;
  prototype.resolveSchema = lean;
}
