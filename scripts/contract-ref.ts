/** Following a contract's local `$ref`s (`#/components/...`, JSON Pointer escapes `~1` and `~0`): the one way the scripts and tests do it. */
type Json = Record<string, unknown>;

/** The node a chain of local `$ref`s ends at (the node itself when it is no reference); undefined when a reference names nothing. */
export function followRef<T = Json>(document: object, node: unknown): T {
  let current = node as Json | undefined;
  for (let hops = 0; current && typeof current.$ref === 'string'; hops++) {
    if (hops === 64) throw new Error(`$ref chain too long at ${current.$ref}`);
    current = current.$ref
      .replace(/^#\/?/, '')
      .split('/')
      .map((key) => decodeURIComponent(key).replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<Json | undefined>((value, key) => value?.[key] as Json | undefined, document as Json);
  }
  return current as T;
}
