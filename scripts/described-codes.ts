/**
 * The result codes an operation's prose mentions, checked against the catalog and against the
 * answers the operation documents: a description said "the same key with
 * another body is 409, code 4023" while the server answered 422, code 4031, and 4023 meant
 * something else. Generation fails on any mention that names an unknown code, gives a code
 * another status than the catalog's, or names a code whose status the operation does not
 * document (when the prose gives it as an answer, with its status), so that prose cannot
 * drift from behaviour.
 *
 * A mention is a 4-digit code in one of the forms the contract writes: "code 4031",
 * "(409, 4010", "409, code 4023", "422 (code 4031)", "404 code 3008"; the HTTP status before
 * it, when there is one, is checked too. The operation's description, its parameters' and its
 * request body's are read.
 */
import type { CodeEntry } from './render-operations';
import { followRef } from './contract-ref';

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** A code mentioned in prose, with the HTTP status written beside it (if any). */
export interface Mention {
  code: string;
  status: number | null;
}

/** The codes a text mentions. */
export function mentionedCodes(text: string): Mention[] {
  const mentions: Mention[] = [];
  // A status, then the code: "409, 4010", "409, code 4023", "422 (code 4031)", "404 code 3008", "(400, code 2001".
  const withStatus = /\b([1-5][0-9]{2})(?:,\s*|\s+\(?)(?:codes?\s+)?([0-9]{4})\b/g;
  const covered = new Set<number>();
  for (const match of text.matchAll(withStatus)) {
    mentions.push({ code: match[2], status: Number(match[1]) });
    covered.add((match.index ?? 0) + match[0].length - 4);
  }
  for (const match of text.matchAll(/\bcodes?\s+([0-9]{4})\b/g)) {
    const at = (match.index ?? 0) + match[0].length - 4;
    if (!covered.has(at)) mentions.push({ code: match[1], status: null });
  }
  return mentions;
}

/** The problems of every operation's mentioned codes (empty when all are right). */
export function describedCodeProblems(document: Json): string[] {
  const catalog = (((document.components as Json).schemas as Json).ErrorCode as Json)['x-code-catalog'] as Record<string, CodeEntry>;
  const statusesOf = new Map<string, number[]>(); // a code may have several entries (9999: 500 and 503)
  for (const entry of Object.values(catalog)) {
    statusesOf.set(entry.code, [...(statusesOf.get(entry.code) ?? []), entry.status, ...(entry.oauthStatus ? [entry.oauthStatus] : [])]);
  }
  const problems: string[] = [];
  for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      const where = String(operation.operationId ?? `${method.toUpperCase()} ${path}`);
      const documented = new Set(Object.keys((operation.responses ?? {}) as Json));
      const texts = [
        operation.description,
        ...[...((item.parameters ?? []) as unknown[]), ...((operation.parameters ?? []) as unknown[])].map(
          (parameter) => followRef<Json>(document, parameter).description,
        ),
        operation.requestBody && followRef<Json>(document, operation.requestBody).description,
      ].filter((text): text is string => typeof text === 'string');
      for (const mention of texts.flatMap(mentionedCodes)) {
        const statuses = statusesOf.get(mention.code);
        if (!statuses) {
          problems.push(`${where}: its description mentions code ${mention.code}, which the catalog does not have`);
          continue;
        }
        if (mention.status !== null && !statuses.includes(mention.status)) {
          problems.push(
            `${where}: its description says ${mention.status} with code ${mention.code}; the catalog answers ${mention.code} with ${statuses.join(' or ')}`,
          );
        }
        // A bare "code 4091" may be a code inside a 200 answer (an offline batch's refused fill): only
        // a code given with its HTTP status is an answer the operation must document.
        if (mention.status !== null && !statuses.some((status) => documented.has(String(status)))) {
          problems.push(`${where}: its description mentions code ${mention.code} (HTTP ${statuses.join(' or ')}), a status the operation does not document`);
        }
      }
    }
  }
  return problems;
}
