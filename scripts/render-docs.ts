/**
 * The documentation page's document: the bundled contract with the partner guide
 * (spec/docs/guide.md) and the error-code annex, generated from the catalog, as its
 * introduction. Redoc renders the introduction's headings as sections of the page. The
 * guide's pictures (`![...](name.svg)`, files beside it) are inlined as data URIs, so the page
 * stays one self-contained file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeEntry } from './render-operations';

type Json = Record<string, unknown>;

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The annex: every code of the catalog with its status, meaning and messages. */
export function renderErrorAnnex(document: Json): string {
  const schema = ((document.components as Json).schemas as Json).ErrorCode as Json;
  const catalog = schema['x-code-catalog'] as Record<string, CodeEntry>;
  const rows = Object.entries(catalog)
    .sort(([, a], [, b]) => a.code.localeCompare(b.code) || a.status - b.status)
    .map(([name, entry]) => `| <span id="error-${entry.code}">\`${entry.code}\`</span> | ${entry.status}${entry.oauthStatus ? ` (OAuth endpoints: ${entry.oauthStatus})` : ''} | \`${name}\` | ${cell(entry.meaning)} | ${cell(entry.message.fr)} | ${cell(entry.message.en)} |`);
  return [
    '## Annexe : codes de résultat / Annex: result codes',
    '',
    '**FR.** Chaque réponse porte un `code` à 4 chiffres : 0xxx succès, 1xxx authentification et droits, 2xxx validation de la requête, 3xxx ressource introuvable, 4xxx règles métier, 9xxx erreur système.',
    '',
    '**EN.** Every answer carries a 4-digit `code`: 0xxx success, 1xxx authentication and rights, 2xxx request validation, 3xxx not found, 4xxx business rules, 9xxx system error.',
    '',
    '| Code | HTTP | Name | Meaning | Message (fr) | Message (en) |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/**
 * The page's one server: `/`, which Redoc resolves in the browser against the page's own
 * address, so the page served by `PORT=8081 npm start` (or behind any host name) shows the
 * server it came from. Nothing of the request (a Host header) goes into the page.
 */
const DOCS_SERVERS = [{ url: '/', description: 'The server this page is served from' }];

/** The guide with its SVG pictures inlined. */
function inlinePictures(guide: string, docsDir: string): string {
  return guide.replace(/\]\(([a-z0-9-]+\.svg)\)/g, (_link, file: string) => `](data:image/svg+xml;base64,${readFileSync(join(docsDir, file)).toString('base64')})`);
}

export function docsDocument(document: Json, specDir: string): Json {
  const guide = inlinePictures(readFileSync(join(specDir, 'docs', 'guide.md'), 'utf8'), join(specDir, 'docs'));
  const info = document.info as Json;
  return {
    ...document,
    servers: DOCS_SERVERS,
    info: { ...info, description: [guide.trim(), '', `## ${info.title} ${info.version}`, '', String(info.description ?? '').trim(), '', renderErrorAnnex(document)].join('\n') },
  };
}
