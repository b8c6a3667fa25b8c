/**
 * Security headers (helmet). API answers are JSON: their Content-Security-Policy allows
 * nothing. The /docs page is a self-contained Redoc page: its policy allows exactly its own
 * inline scripts (by sha256, computed from the page at start), inline styles (Redoc injects
 * them at run time), data: images and fonts, and blob: workers (Redoc's search index).
 * HSTS is not set here: transport-security.ts sets it on secure requests only.
 */
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { operationTable } from '../../generated/operations';

/** 'sha256-...' sources for every inline script of an HTML page. */
function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const match of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script/gi)) {
    if (match[1] === '') continue;
    hashes.add(`'sha256-${createHash('sha256').update(match[1], 'utf8').digest('base64')}'`);
  }
  return [...hashes];
}

const hashesByPage = new Map<string, string[]>();

const common: HelmetOptions = {
  strictTransportSecurity: false,
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
};

const NONE = ["'none'"];

/** `docsPage`: the HTML served at /docs, whose inline scripts the page's policy allows. */
export function securityHeaders(docsPage: string): RequestHandler {
  let docsScriptHashes = hashesByPage.get(docsPage);
  if (!docsScriptHashes) hashesByPage.set(docsPage, (docsScriptHashes = inlineScriptHashes(docsPage)));
  const api = helmet({
    ...common,
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: NONE, frameAncestors: NONE, baseUri: NONE, formAction: NONE } },
  });
  const docs = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: NONE,
        scriptSrc: docsScriptHashes,
        styleSrc: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        workerSrc: ['blob:'],
        frameAncestors: NONE,
        baseUri: NONE,
        formAction: NONE,
      },
    },
  });
  const docsPath = operationTable.getDocs.path;
  return (req, res, next) => (req.path === docsPath ? docs(req, res, next) : api(req, res, next));
}
