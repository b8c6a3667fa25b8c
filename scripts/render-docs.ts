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

/** A name that may break after each underscore (a long code name never breaks mid-word). */
const breakable = (name: string) => name.replace(/_/g, '_<wbr>');

/**
 * The annex: every code of the catalog with its status, name, meaning and messages. Two
 * columns, so that it fits Redoc's middle column: the code and its HTTP status, then the rest
 * one below the other (six columns were squeezed until codes wrapped and messages were cut).
 */
export function renderErrorAnnex(document: Json): string {
  const schema = ((document.components as Json).schemas as Json).ErrorCode as Json;
  const catalog = schema['x-code-catalog'] as Record<string, CodeEntry>;
  const rows = Object.entries(catalog)
    .sort(([, a], [, b]) => a.code.localeCompare(b.code) || a.status - b.status)
    .map(([name, entry]) => {
      const status = `HTTP&nbsp;${entry.status}${entry.oauthStatus ? ` (OAuth:&nbsp;${entry.oauthStatus})` : ''}`;
      const text = [`<strong>${breakable(name)}</strong>`, cell(entry.meaning), `FR : ${cell(entry.message.fr)}`, `EN: ${cell(entry.message.en)}`].join('<br>');
      return `| <span id="error-${entry.code}">\`${entry.code}\`</span><br>${status} | ${text} |`;
    });
  return [
    '## Annexe : codes de résultat / Annex: result codes',
    '',
    '**FR.** Chaque réponse porte un `code` à 4 chiffres : 0xxx succès, 1xxx authentification et droits, 2xxx validation de la requête, 3xxx ressource introuvable, 4xxx règles métier, 9xxx erreur système.',
    '',
    '**EN.** Every answer carries a 4-digit `code`: 0xxx success, 1xxx authentication and rights, 2xxx request validation, 3xxx not found, 4xxx business rules, 9xxx system error.',
    '',
    '| Code | Nom, sens et messages / Name, meaning and messages |',
    '|---|---|',
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

/**
 * The guide with its SVG pictures inlined, as HTML images: Redoc renders no Markdown image
 * whose address is a data: URI (it showed the base64 text instead).
 */
function inlinePictures(guide: string, docsDir: string): string {
  return guide.replace(
    /!\[([^\]]*)\]\(([a-z0-9-]+\.svg)\)/g,
    (_image, alt: string, file: string) =>
      `<img alt="${alt.replace(/"/g, '&quot;')}" src="data:image/svg+xml;base64,${readFileSync(join(docsDir, file)).toString('base64')}">`,
  );
}

/** The Redocly attribution's logo, drawn here: the page loads nothing from the network (its policy would block it). */
const REDOCLY_LOGO = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="16" viewBox="0 0 64 16"><text x="0" y="12" font-family="sans-serif" font-size="12" fill="#0044d4">Redocly</text></svg>')}`;
/** An icon for the browser's tab, so that it does not ask the server for /favicon.ico (a 404). */
const FAVICON = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b5394"/><text x="8" y="12" font-family="sans-serif" font-size="11" font-weight="bold" fill="#fff" text-anchor="middle">C</text></svg>')}`;

/**
 * The page as Redocly built it, made self-contained: its tab icon declared inline and the
 * attribution logo's CDN addresses replaced by a local picture. Fails when the page no longer
 * has what it replaces (a new Redoc), so that the change is seen rather than the page breaking.
 */
export function finishDocsPage(html: string): string {
  const logos = ['https://cdn.redoc.ly/redoc/logo-mini-full.svg', 'https://cdn.redoc.ly/redoc/logo-mini.svg'];
  for (const logo of logos) if (!html.includes(logo)) throw new Error(`the docs page no longer loads ${logo}: check what Redoc loads now`);
  if (!html.includes('<meta charset="utf8" />')) throw new Error('the docs page has no <meta charset="utf8" />: check the Redoc template');
  const finished = logos
    .reduce((page, logo) => page.replaceAll(logo, REDOCLY_LOGO), html)
    .replace('<meta charset="utf8" />', `<meta charset="utf8" />\n  <link rel="icon" href="${FAVICON}">`);
  if (finished.includes('cdn.redoc.ly')) throw new Error('the docs page still loads from cdn.redoc.ly');
  return finished;
}

export function docsDocument(document: Json, specDir: string): Json {
  const guide = inlinePictures(readFileSync(join(specDir, 'docs', 'guide.md'), 'utf8'), join(specDir, 'docs'));
  const info = document.info as Json;
  return {
    ...document,
    servers: DOCS_SERVERS,
    info: {
      ...info,
      description: [guide.trim(), '', `## ${info.title} ${info.version}`, '', String(info.description ?? '').trim(), '', renderErrorAnnex(document)].join('\n'),
    },
  };
}
