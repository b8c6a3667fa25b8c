import { createRequire } from 'node:module';
import { anyEntry } from './validator-schema-cache';

interface SchemaValidatorOptions {
  version: string;
  validateApiSpec: boolean;
}
type SchemaValidatorClass = (new (options: SchemaValidatorOptions) => object) & { shared?: true };
type LoadSpec = ((spec: unknown, refParser?: unknown) => Promise<unknown>) & { lean?: true };

/** The validator's own modules (resolved from its folder). */
const fromValidator = createRequire(require.resolve('express-openapi-validator'));
/** Its start-up: loads the contract (`loadSpec`) and checks it against the OpenAPI schema. */
const framework = fromValidator('./framework/index') as { OpenAPIFramework: { prototype: { loadSpec: LoadSpec } } };
/** The checker it builds for that, which `framework` reads from this module's exports at each start-up. */
const schemaValidatorModule = fromValidator('./framework/openapi.schema.validator') as { OpenAPISchemaValidator: SchemaValidatorClass };

/** What was spared: tests read it to prove the validator goes through the patch. */
export const validatorSpecLoadingStats = { bundlesSkipped: 0, schemaValidatorsShared: 0 };

/** A `$ref` to a whole component under a plain name (what the bundled contract holds). */
const PLAIN_COMPONENT_REF = /^#\/components\/([A-Za-z]+)\/([A-Za-z0-9._-]+)$/;

/**
 * True when the bundler would give `document` back as it is: every `$ref` names a whole
 * component under a plain name (nothing to percent-encode), that component exists, and it is
 * not itself a `$ref` (the bundler rewrites a `$ref` to an alias into one to its target).
 */
export function alreadyBundled(document: object): boolean {
  const components = (document as { components?: Record<string, Record<string, unknown> | undefined> }).components;
  const plain = (ref: unknown) => {
    const [, section, name] = (typeof ref === 'string' && PLAIN_COMPONENT_REF.exec(ref)) || [];
    const target = section ? components?.[section]?.[name] : undefined;
    return typeof target === 'object' && target !== null && !('$ref' in target);
  };
  return !anyEntry(document, (key, value) => key === '$ref' && !plain(value));
}

/**
 * express-openapi-validator 5.6 does two things at each start-up (each app) whose result is
 * the same every time for the same contract:
 * - it bundles the contract given as an object with json-schema-ref-parser, a walk of every
 *   `$ref` of the document; for a document already bundled (`alreadyBundled`: the contract
 *   is one), the bundler only writes each `$ref` back as it was (its `remap` leaves internal
 *   `$ref`s as they are), so such a document is taken as it is (unless the app asked for
 *   `$refParser: { mode: 'dereference' }`); any other goes through the bundler;
 * - it compiles the OpenAPI 3 schema into an Ajv validator (even with `validateApiSpec`
 *   false, when it then never uses it); one checker per OpenAPI version and setting is built
 *   once per process and shared (it holds no state between two checks).
 * The contract itself is still checked against the OpenAPI schema at every start-up.
 * Profiles of contract test files put about a quarter of a second of CPU per app there.
 */
export function leanSpecLoading(): void {
  const prototype = framework.OpenAPIFramework.prototype;
  const loadSpec = prototype.loadSpec;
  if (!loadSpec.lean) {
    const lean: LoadSpec = function (this: unknown, spec, refParser) {
      const dereference = (refParser as { mode?: string } | undefined)?.mode === 'dereference';
      if (!dereference && spec && typeof spec === 'object' && alreadyBundled(spec)) {
        validatorSpecLoadingStats.bundlesSkipped += 1;
        return Promise.resolve(spec);
      }
      return loadSpec.call(this, spec, refParser);
    };
    lean.lean = true;
    prototype.loadSpec = lean;
  }
  const Original = schemaValidatorModule.OpenAPISchemaValidator;
  if (!Original.shared) {
    const built = new Map<string, object>();
    const Shared = function (options: SchemaValidatorOptions) {
      const key = `${options.version} ${options.validateApiSpec}`;
      const existing = built.get(key);
      if (existing) {
        validatorSpecLoadingStats.schemaValidatorsShared += 1;
        return existing;
      }
      const made = new Original(options);
      built.set(key, made);
      return made;
    } as unknown as SchemaValidatorClass;
    Shared.shared = true;
    schemaValidatorModule.OpenAPISchemaValidator = Shared;
  }
}
