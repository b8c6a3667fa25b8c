/**
 * The texts a person reads in answers, in French (the default) or English, each keyed by a
 * stable code that travels beside it: the result-code catalog's messages (ErrorCode
 * x-code-catalog) and the exception kinds' (CardException x-message-catalog), both in the
 * contract. The envelope's `message` and every message inside a payload come from here.
 */
import { codeCatalog, exceptionMessages, type CodeName } from '../../generated/codes';

export type Language = 'fr' | 'en';

/** The language of an answer when the request asks for none (and of texts written for no one reader, such as events). */
export const DEFAULT_LANGUAGE: Language = 'fr';

export const messageFor = (name: CodeName, language: Language): string => codeCatalog[name].message[language];

const byCode = new Map<string, CodeName>(Object.entries(codeCatalog).map(([name, entry]) => [entry.code, name as CodeName]));

/** The catalog's message of a 4-digit code (as stored beside a decline or a fill's refusal). */
export function messageOfCode(code: string, language: Language): string {
  const name = byCode.get(code);
  if (name === undefined) throw new Error(`code ${code} is not in the catalog`);
  return messageFor(name, language);
}

/** The message of an exception kind. */
export const exceptionMessage = (kind: keyof typeof exceptionMessages, language: Language): string => exceptionMessages[kind][language];
