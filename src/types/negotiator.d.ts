/**
 * The part of negotiator 1.x (jshttp, what express's `req.accepts*` are built on) that
 * src/http/precompressed.ts uses. @types/negotiator describes 0.6, without `preferred`.
 */
declare module 'negotiator' {
  import type { IncomingHttpHeaders } from 'node:http';

  class Negotiator {
    constructor(request: { headers: IncomingHttpHeaders });
    /**
     * The available encodings the request's Accept-Encoding accepts, best first; among equal
     * weights, `preferred`'s order. `identity` is acceptable unless excluded.
     */
    encodings(available: readonly string[], options?: { preferred?: readonly string[] }): string[];
  }
  export = Negotiator;
}
