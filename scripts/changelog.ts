/**
 * `npm run changelog` writes CHANGELOG.md, the partners' changelog, from the record of the
 * contract's publications (spec/published/versions.json): one section per published version,
 * newest first, each listing what changed since the version before it, as spec:diff classified
 * it when `npm run spec:publish` published it (breaking, to check, added), by API and
 * operation. spec:publish records the publication and writes CHANGELOG.md itself; this script
 * rewrites it from the record, and `npm run changelog -- --check` (CI) fails when CHANGELOG.md
 * is not what the record gives or the record's newest version is not the published contract's.
 *
 * Exit 0: written or current; 1: stale, or a record that does not match the published
 * contract; 2: bad arguments.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { PUBLISHED, type Change, type ContractDiff } from './spec-diff';

/** One publication: its version, its day (UTC) and the changes since the version before it. */
export interface Publication {
  version: string;
  date: string;
  changes: ContractDiff;
}

/** The record of the publications, oldest first; written by `npm run spec:publish`. */
export const VERSIONS = 'spec/published/versions.json';
export const CHANGELOG = 'CHANGELOG.md';
/** What the first publication is compared with: a contract without operations. */
export const NOTHING_PUBLISHED = { openapi: '3.0.3', info: { title: '', version: '0.0.0' }, paths: {} };

const API_ORDER = ['3rd Party API', 'Core API (CYNOD’s internal applications)', 'Every caller (health, contract, metrics)'];
const LEVELS: { level: keyof ContractDiff; title: string }[] = [
  { level: 'breaking', title: 'Breaking: change your client before you use this version' },
  { level: 'warnings', title: 'Check your client: new values in answers' },
  { level: 'info', title: 'Added' },
];

const unescape = (part: string) => part.replace(/~1/g, '/').replace(/~0/g, '~');

interface Place {
  api: string;
  /** The method and path, with the operationId; null for a change outside the paths. */
  operation: string | null;
  /** The response status the change is in, if any. */
  status: string | null;
  /** The rest of the location, made readable (`request body`, a field path, `enum`...). */
  where: string;
}

/** Where a change is, read from its location. */
function placeOf(change: Change): Place {
  const match = /^#\/paths\/([^/]+)\/([a-z]+)(\/.*)?$/.exec(change.location);
  if (!match) return { api: API_ORDER[2], operation: null, status: null, where: change.location.replace(/^#\//, '').split('/').map(unescape).join(' ') };
  const path = unescape(match[1]);
  const api = /^\/(partner|oauth|get-solde-carte)(\/|$)/.test(path) ? API_ORDER[0] : path.startsWith('/core/') ? API_ORDER[1] : API_ORDER[2];
  const label = `\`${match[2].toUpperCase()} ${path}\`${change.operationId ? ` (\`${change.operationId}\`)` : ''}`;
  // responses/200/content/application~1json/schema/properties/data/properties/id -> response 200 data.id
  const parts = (match[3] ?? '').split('/').filter(Boolean).map(unescape);
  const words: string[] = [];
  let status: string | null = null;
  let fields: string[] = [];
  const flush = () => {
    if (fields.length) words.push(`\`${fields.join('.').replace(/\.\[\]/g, '[]')}\``);
    fields = [];
  };
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index];
    if (part === 'properties') fields.push(parts[++index]);
    else if (part === 'items') fields.push('[]');
    else if (part === 'content')
      index++; // the media type
    else if (part !== 'schema') {
      flush();
      if (part === 'responses') status = parts[++index];
      else if (part === 'parameters')
        break; // the message names the parameter
      else if (part === 'requestBody') words.push('request body');
      else if (part === 'headers') words.push(`header ${parts[++index]}`);
      else words.push(part);
    }
  }
  flush();
  return { api, operation: label, status, where: words.join(' ') };
}

/** The changes' lines; one change made in several responses of an operation is one line naming them. */
function lines(changes: Change[]): string[] {
  const merged = new Map<string, { place: Place; change: Change; statuses: string[] }>();
  for (const change of changes) {
    const place = placeOf(change);
    const key = JSON.stringify([place.operation, place.where, change.rule, change.message]);
    const entry = merged.get(key) ?? { place, change, statuses: [] };
    if (place.status !== null) entry.statuses.push(place.status);
    merged.set(key, entry);
  }
  return [...merged.values()].map(({ place, change, statuses }) => {
    if (change.rule === 'operation-added') return `- ${place.operation}: new operation`;
    if (change.rule === 'operation-removed') return `- ${place.operation}: removed`;
    if (place.operation === null) return `- ${place.where}: ${change.message}`;
    const where = [statuses.length ? `${statuses.length > 1 ? 'responses' : 'response'} ${statuses.join(', ')}` : '', place.where].filter(Boolean).join(' ');
    return `- ${place.operation}: ${where ? `${where}: ` : ''}${change.message}`;
  });
}

/** CHANGELOG.md for the publications (oldest first in the record, newest first on the page). */
export function renderChangelog(publications: Publication[]): string {
  const out = [
    '# Changelog',
    '',
    `<!-- Generated by \`npm run changelog\` from ${VERSIONS} (written by \`npm run spec:publish\`). Do not edit. -->`,
    '',
    'What changed in each published version of the CYNOD API contract (served at `/openapi.json`,',
    'mocked by `npm run mock`), newest first, as `npm run spec:diff` classifies it. Within a major',
    'version changes are additive: ignore the fields you do not know, and expect new result codes',
    'and enum values in answers. How versions and deprecations work:',
    '[docs/contract-stability.md](docs/contract-stability.md).',
  ];
  for (const publication of [...publications].reverse()) {
    out.push('', `## ${publication.version} (${publication.date})`, '');
    const all = [...publication.changes.breaking, ...publication.changes.warnings, ...publication.changes.info];
    if (publications.indexOf(publication) === 0) out.push(`First publication: ${all.filter((c) => c.rule === 'operation-added').length} operations.`, '');
    else if (all.length === 0) out.push('Descriptions and examples only: no change a client sees.', '');
    for (const api of API_ORDER) {
      const sections = LEVELS.map(({ level, title }) => ({
        title,
        changes: publication.changes[level].filter((change) => placeOf(change).api === api),
      })).filter((section) => section.changes.length > 0);
      if (sections.length === 0) continue;
      out.push(`### ${api}`, '');
      for (const section of sections) out.push(`**${section.title}**`, '', ...lines(section.changes), '');
    }
  }
  return (
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}

const root = resolvePath(__dirname, '..');

/** The record in `dir` (an empty one when nothing was published yet). */
export function readPublications(dir: string): Publication[] {
  return readOrNull(dir, VERSIONS, (text) => JSON.parse(text) as Publication[]) ?? [];
}

/** Writes the record and the changelog it gives. */
export function writePublications(dir: string, publications: Publication[]): void {
  writeFileSync(join(dir, VERSIONS), JSON.stringify(publications, null, 2) + '\n');
  writeFileSync(join(dir, CHANGELOG), renderChangelog(publications));
}

/** A file of `dir` read by `parse`, or null when it is missing or unreadable. */
function readOrNull<T>(dir: string, path: string, parse: (text: string) => T): T | null {
  try {
    return parse(readFileSync(join(dir, path), 'utf8'));
  } catch {
    return null;
  }
}

/** The CLI; `dir` (tests) holds the files instead of the repository. */
export function main(argv: string[], log: (line: string) => void = console.log, dir = root): number {
  if (argv.length > 1 || (argv.length === 1 && argv[0] !== '--check')) {
    log('usage: npm run changelog [-- --check]');
    return 2;
  }
  const publications = readPublications(dir);
  const publishedVersion = readOrNull(dir, PUBLISHED, (text) => String((JSON.parse(text) as { info: { version: string } }).info.version));
  const newest = publications.at(-1)?.version ?? null;
  if (newest !== publishedVersion) {
    log(
      `changelog: ${VERSIONS} ends with ${newest ?? 'nothing'}, ${PUBLISHED} is ${publishedVersion ?? 'missing'}: publish with npm run spec:publish, which records it`,
    );
    return 1;
  }
  const expected = renderChangelog(publications);
  if (argv[0] === '--check') {
    if (readOrNull(dir, CHANGELOG, (text) => text) !== expected) {
      log(`changelog: ${CHANGELOG} is not what ${VERSIONS} gives: run npm run changelog and commit it`);
      return 1;
    }
    log(`changelog: ${CHANGELOG} is current (${publications.length} publication(s), newest ${newest})`);
    return 0;
  }
  writeFileSync(join(dir, CHANGELOG), expected);
  log(`changelog: ${CHANGELOG} written (${publications.length} publication(s), newest ${newest})`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
