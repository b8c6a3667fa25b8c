import { createRequire } from 'node:module';
import type { NextFunction, Request, Response } from 'express';

/** What the validator's route lookup reads of its context (framework/openapi.context.js). */
interface RouteContext {
  /** Every route pattern of the contract (Express syntax), in the order the lookup tries them, with its methods. */
  expressRouteMap: Record<string, unknown>;
  useRequestUrl?: boolean;
}
type Middleware = (req: Request, res: Response, next: NextFunction) => unknown;
type MetadataMiddleware = ((this: unknown, context: RouteContext, responseApiDoc: unknown) => Middleware) & { narrowed?: true };

/** The validator's own modules (resolved from its folder). */
const fromValidator = createRequire(require.resolve('express-openapi-validator'));
/** Its middleware factory; `metadataMiddleware` builds the step that finds a request's operation (middlewares/openapi.metadata.js). */
const validatorModule = fromValidator('./openapi.validator') as { OpenApiValidator: { prototype: { metadataMiddleware: MetadataMiddleware } } };

/** How many lookups went through the narrowed route lists: tests read it to prove the validator goes through the patch. */
export const routeLookupStats = { narrowed: 0 };

/** A node of the routes' segment tree: the routes that end here, and the segments that lead on. */
interface SegmentNode {
  routes: number[];
  literals: Map<string, SegmentNode>;
  /** A segment holding a parameter (or anything but plain text): any one segment leads on. */
  anySegment?: SegmentNode;
  /** The route list of this end node alone (set on first use). */
  list?: RouteList;
}

/** The routes a lookup tries, with the validator's metadata step over only them. */
interface RouteList {
  middleware: Middleware;
}

/** A pattern segment that is plain text (no parameter, wildcard, group or escape): compared as text. */
const PLAIN_SEGMENT = /^[^:*?+(){}\\]*$/;
/** A pattern segment that may match across a slash (a wildcard, an optional group) or is not path-to-regexp 8 syntax. */
const SPANNING_SEGMENT = /[*?+(){}]/;

/**
 * The routes of the contract as a tree of path segments, so that finding the routes a path may
 * match costs one step per segment of the path, whatever the number of routes. It only narrows:
 * the routes it returns include every route whose pattern matches the path (literal segments
 * are compared ignoring case and a trailing slash is dropped, so it holds whether routing is
 * case sensitive and strict or not), in the order given; the validator's own matching then
 * runs over them. Patterns that are not a plain sequence of segments (a wildcard, an optional
 * group, a trailing slash) are kept on every list.
 */
export function segmentTree(patterns: readonly string[]): { candidates(path: string): { ends: SegmentNode[]; always: number[] } } {
  const root: SegmentNode = { routes: [], literals: new Map() };
  const always: number[] = [];
  patterns.forEach((pattern, index) => {
    const segments = pattern.split('/');
    if (pattern.length > 1 && pattern.endsWith('/')) return always.push(index);
    if (segments.some((segment) => SPANNING_SEGMENT.test(segment))) return always.push(index);
    let node = root;
    for (const segment of segments) {
      if (PLAIN_SEGMENT.test(segment)) {
        const text = segment.toLowerCase();
        let next = node.literals.get(text);
        if (!next) node.literals.set(text, (next = { routes: [], literals: new Map() }));
        node = next;
      } else node = node.anySegment ??= { routes: [], literals: new Map() };
    }
    node.routes.push(index);
  });
  return {
    candidates(path) {
      const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
      const segments = trimmed.toLowerCase().split('/');
      let level: SegmentNode[] = [root];
      for (const segment of segments) {
        const next: SegmentNode[] = [];
        for (const node of level) {
          const literal = node.literals.get(segment);
          if (literal) next.push(literal);
          if (node.anySegment) next.push(node.anySegment);
        }
        if (next.length === 0) return { ends: [], always };
        level = next;
      }
      return { ends: level.filter((node) => node.routes.length > 0), always };
    },
  };
}

/**
 * express-openapi-validator 5.6 finds a request's operation by trying every route of the
 * contract in turn, with a few allocations each (upstream: cdimascio/express-openapi-validator#1217):
 * 10-13% of a read's CPU with 97 paths (issue 31), growing with every path added. Its lookup is
 * kept as it is, but run over a short list: the routes the path can match at all, found in a
 * tree of the routes' segments (`segmentTree`), in the order the validator tries them. So the
 * route it picks is the one it would pick over the whole contract (every route left out cannot
 * match), and so are its answers: the path parameters, 405 with the path's methods, 404.
 * The step is built once per list (a few dozen lists: one per route, one for none).
 */
export function narrowRouteLookup(): void {
  const prototype = validatorModule.OpenApiValidator.prototype;
  const original = prototype.metadataMiddleware;
  if (original.narrowed) return;
  const narrowed: MetadataMiddleware = function (this: unknown, context, responseApiDoc) {
    const patterns = Object.keys(context.expressRouteMap);
    const tree = segmentTree(patterns);
    const lists = new Map<string, RouteList>();
    /** The validator's step over the routes at these positions (a view of its context with only them). */
    const listOf = (positions: number[]): RouteList => {
      const key = positions.join(',');
      let list = lists.get(key);
      if (!list) {
        const narrowContext = Object.create(context) as RouteContext;
        narrowContext.expressRouteMap = Object.fromEntries(positions.map((position) => [patterns[position], context.expressRouteMap[patterns[position]]]));
        list = { middleware: original.call(this, narrowContext, responseApiDoc) };
        // Lists come from the contract's routes: a few dozen, a few hundred at most.
        if (lists.size < 10_000) lists.set(key, list);
      }
      return list;
    };
    return (req, res, next) => {
      // The path the validator's lookup reads.
      const path = (context.useRequestUrl ? req.url : req.originalUrl).split('?')[0];
      const { ends, always } = tree.candidates(path);
      let list: RouteList;
      if (ends.length === 1 && always.length === 0) list = ends[0].list ??= listOf(ends[0].routes);
      else list = listOf([...new Set([...ends.flatMap((node) => node.routes), ...always])].sort((a, b) => a - b));
      routeLookupStats.narrowed += 1;
      return list.middleware(req, res, next);
    };
  };
  narrowed.narrowed = true;
  prototype.metadataMiddleware = narrowed;
}
