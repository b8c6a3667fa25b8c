/**
 * The language of an answer, for http/ (envelopes), auth/ (the OAuth endpoints' answers) and the
 * actor a request builds (texts inside payloads); the texts themselves are in
 * src/domain/messages.ts. Beneath http/ and auth/, it imports neither.
 */
import type { Request, Response } from 'express';
import type { Language } from '../domain/messages';

/** French by default; English when the request prefers it (`Accept-Language: en`). */
export function languageOf(req: Request): Language {
  return req.acceptsLanguages('fr', 'en') === 'en' ? 'en' : 'fr';
}

/** The language of the answer's message, said in `Content-Language`; the message follows Accept-Language (Vary). */
export function answerIn(req: Request, res: Response): Language {
  const language = languageOf(req);
  res.setHeader('Content-Language', language);
  res.vary('Accept-Language');
  return language;
}
