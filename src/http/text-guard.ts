/**
 * Enforces the contract's text rule (domain/text.ts) on everything a request carries as text,
 * before anything reads it: the path, the query and every string of a JSON body (NFC-normalised
 * in place when accepted). A refusal is 400 code 2001 naming each offending field. The OAuth
 * endpoints check their own form fields (auth/client-auth.ts): there, bad credentials count as
 * a failed authentication.
 */
import type { RequestHandler } from 'express';
import { AppError } from '../domain/app-error';
import { normalizedText, refusedText } from '../domain/text';

type Problem = { path: string; message: string };

/** Checks and normalises every string under `value`; returns the value to keep. */
function walk(value: unknown, path: string, problems: Problem[]): unknown {
  if (typeof value === 'string') {
    const reason = refusedText(value);
    if (reason) problems.push({ path, message: reason });
    return reason ? value : normalizedText(value);
  }
  if (Array.isArray(value)) return value.map((item, index) => walk(item, `${path}/${index}`, problems));
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyReason = refusedText(key);
      if (keyReason) problems.push({ path: `${path}/${key}`, message: `name ${keyReason}` });
      (value as Record<string, unknown>)[key] = walk(item, `${path}/${key}`, problems);
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
  if (req.body !== undefined) req.body = walk(req.body, '/body', problems);
  if (problems.length === 0) return next();
  next(new AppError('VALIDATION_FAILED', `Text refused: ${problems.map((problem) => `${problem.path} ${problem.message}`).join('; ')}`, { errors: problems }));
};
