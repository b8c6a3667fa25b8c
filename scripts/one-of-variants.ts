/**
 * The SDK tells a `oneOf`'s variants apart by their required properties (the generator's
 * template, scripts/sdk-generator-templates/modelOneOf.mustache, returns the first variant whose
 * required properties the value has). That holds only when no variant's required properties are
 * all required by another: generation fails otherwise, naming the schemas, so that a new variant
 * cannot make the SDK read one variant as another. A `oneOf` with a discriminator is read by it.
 */
import { followRef } from './contract-ref';

type Json = Record<string, unknown>;

const nameOf = (node: Json, index: number): string => (typeof node.$ref === 'string' ? node.$ref.split('/').pop()! : `variant ${index + 1}`);

/** The problems of every `oneOf` without a discriminator in the document (empty when the SDK can tell every variant apart). */
export function oneOfProblems(document: Json): string[] {
  const problems: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((item, index) => visit(item, `${path}/${index}`));
    if (!node || typeof node !== 'object') return;
    const schema = node as Json;
    if (Array.isArray(schema.oneOf) && !schema.discriminator) {
      const variants = (schema.oneOf as Json[]).map((variant, index) => ({
        name: nameOf(variant, index),
        required: new Set((followRef<Json>(document, variant).required as string[] | undefined) ?? []),
      }));
      for (const variant of variants)
        for (const other of variants)
          if (variant !== other && [...variant.required].every((property) => other.required.has(property)))
            problems.push(
              `${path}: ${variant.name}'s required properties (${[...variant.required].join(', ') || 'none'}) are all required by ${other.name} too: the SDK could not tell them apart (require a property of its own, or add a discriminator)`,
            );
    }
    for (const [key, value] of Object.entries(schema)) if (key !== 'example' && key !== 'examples') visit(value, `${path}/${key}`);
  };
  visit(document, '#');
  return problems;
}
