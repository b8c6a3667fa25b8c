/**
 * Enforces the contract's text rule (domain/text.ts) on everything a request carries as text,
 * before anything reads it: the path, the query and every string of a JSON body (NFC-normalised
 * in place when accepted). A refusal is 400 code 2001 naming each offending field. The OAuth
 * endpoints check their own form fields (auth/client-auth.ts): there, bad credentials count as
 * a failed authentication. A JSON body nested deeper than MAX_BODY_DEPTH is refused the same
 * way, before anything walks it (the walk, the validator and the handlers all recurse).
 */
import type { RequestHandler } from 'express';
import { AppError } from '../domain/app-error';
import { normalizedText, refusedText } from '../domain/text';

type Problem = { path: string; message: string };

/** The most arrays and objects a JSON body may nest, itself included (the contract's deepest body needs a handful). */
const MAX_BODY_DEPTH = 32;

/** Thrown by the walk at the first value nested deeper than MAX_BODY_DEPTH. */
class TooDeep extends Error {}

/** Checks and normalises every string under `value` (inside `depth` arrays and objects); returns the value to keep. */
function walk(value: unknown, path: string, problems: Problem[], depth = 0): unknown {
  if (value !== null && typeof value === 'object' && depth >= MAX_BODY_DEPTH) throw new TooDeep();
  if (typeof value === 'string') {
    const reason = refusedText(value);
    if (reason) problems.push({ path, message: reason });
    return reason ? value : normalizedText(value);
  }
  if (Array.isArray(value)) return value.map((item, index) => walk(item, `${path}/${index}`, problems, depth + 1));
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyReason = refusedText(key);
      if (keyReason) problems.push({ path: `${path}/${key}`, message: `name ${keyReason}` });
      (value as Record<string, unknown>)[key] = walk(item, `${path}/${key}`, problems, depth + 1);
    }
  }
  return value;
}

function decodedPath(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

export const textGuard: RequestHandler = (req, _res, next) => {
  if (req.path.startsWith('/oauth/')) return next();
  const problems: Problem[] = [];
  const path = decodedPath(req.path);
  const pathReason = path === null ? 'is not valid percent-encoded UTF-8' : refusedText(path);
  if (pathReason) problems.push({ path: '/path', message: pathReason });
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) walk(value, `/query/${name}`, problems);
  if (req.body !== undefined) {
    try {
      req.body = walk(req.body, '/body', problems);
    } catch (error) {
      if (!(error instanceof TooDeep)) throw error;
      const message = `nests arrays or objects deeper than ${MAX_BODY_DEPTH} levels`;
      return next(new AppError('VALIDATION_FAILED', `The request body ${message}`, { errors: [{ path: '/body', message }] }));
    }
  }
  if (problems.length === 0) return next();
  next(new AppError('VALIDATION_FAILED', `Text refused: ${problems.map((problem) => `${problem.path} ${problem.message}`).join('; ')}`, { errors: problems }));
};
