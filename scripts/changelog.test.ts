/**
 * The partners' changelog: what each publication's changes read as, by API and level, and the
 * check CI runs (a stale CHANGELOG.md, or a record that does not end with the published version).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHANGELOG, main, NOTHING_PUBLISHED, renderChangelog, VERSIONS, writePublications, type Publication } from './changelog';
import { diffContracts, PUBLISHED } from './spec-diff';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- hand-made OpenAPI documents

const root = join(__dirname, '..');
const object = (properties: Json, required: string[] = []): Json => ({ type: 'object', required, properties });
const answer = (schema: Json) => ({ '200': { description: 'OK', content: { 'application/json': { schema } } } });

function contract(version: string, edit: (doc: Json) => void = () => {}): Json {
  const doc: Json = {
    openapi: '3.0.3',
    info: { title: 'test', version },
    paths: {
      '/partner/v1/me': {
        get: { operationId: 'getPartnerMe', responses: answer(object({ id: { type: 'string' }, status: { type: 'string', enum: ['active'] } }, ['id'])) },
      },
      '/core/v1/cards': {
        get: { operationId: 'listCards', responses: answer(object({ items: { type: 'array', items: object({ id: { type: 'string' } }) } })) },
      },
    },
  };
  edit(doc);
  return doc;
}

const first = contract('1.0.0');
const second = contract('2.0.0', (doc) => {
  const me = doc.paths['/partner/v1/me'].get.responses['200'].content['application/json'].schema;
  delete me.properties.id;
  me.required = [];
  me.properties.status.enum.push('disabled');
  doc.paths['/core/v1/cards'].get.responses['200'].content['application/json'].schema.properties.items.items.properties.maskedNumber = { type: 'string' };
  doc.paths['/partner/v1/events'] = { get: { operationId: 'listPartnerEvents', responses: answer(object({})) } };
});
const publications: Publication[] = [
  { version: '1.0.0', date: '2026-12-01', changes: diffContracts(NOTHING_PUBLISHED, first) },
  { version: '2.0.0', date: '2026-12-09', changes: diffContracts(first, second) },
  { version: '2.0.1', date: '2026-12-10', changes: diffContracts(second, second) },
];

describe('renderChangelog', () => {
  const page = renderChangelog(publications);
  const section = (version: string) => {
    const start = page.indexOf(`## ${version} `);
    const next = page.indexOf('\n## ', start + 1);
    return page.slice(start, next === -1 ? undefined : next);
  };

  test('versions come newest first, each with its day', () => {
    const headings = page.split('\n').filter((line) => line.startsWith('## '));
    expect(headings).toEqual(['## 2.0.1 (2026-12-10)', '## 2.0.0 (2026-12-09)', '## 1.0.0 (2026-12-01)']);
  });

  test('the first publication lists its operations as new, under their API', () => {
    const text = section('1.0.0');
    expect(text).toContain('First publication: 2 operations.');
    expect(text.indexOf('### 3rd Party API')).toBeLessThan(text.indexOf('- `GET /partner/v1/me` (`getPartnerMe`): new operation'));
    expect(text.indexOf('### Core API')).toBeLessThan(text.indexOf('- `GET /core/v1/cards` (`listCards`): new operation'));
  });

  test('a version lists its breaking changes, the values to check and the additions, each with its operation and field', () => {
    const text = section('2.0.0');
    const partner = text.slice(text.indexOf('### 3rd Party API'), text.indexOf('### Core API'));
    expect(partner).toMatch(/\*\*Breaking[^*]*\*\*\n\n- `GET \/partner\/v1\/me` \(`getPartnerMe`\): response 200 `id`: [^\n]*removed/);
    expect(partner).toMatch(/\*\*Check your client[^*]*\*\*\n\n- `GET \/partner\/v1\/me` \(`getPartnerMe`\): response 200 `status` enum: [^\n]*"disabled"/);
    expect(partner).toContain('- `GET /partner/v1/events` (`listPartnerEvents`): new operation');
    expect(text.slice(text.indexOf('### Core API'))).toMatch(/- `GET \/core\/v1\/cards` \(`listCards`\): response 200 `items\[\]\.maskedNumber`: [^\n]*added/);
  });

  test('a version without a change a client sees says so', () => {
    expect(section('2.0.1')).toContain('Descriptions and examples only');
  });
});

describe('npm run changelog in a copy of the repository', () => {
  let dir: string;
  const lines: string[] = [];
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cynod-changelog-'));
    lines.length = 0;
    write(PUBLISHED, JSON.stringify(contract('2.0.1')));
    writePublications(dir, publications);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('when CHANGELOG.md is what the record gives, then the check passes', () => {
    expect(main(['--check'], (line) => lines.push(line), dir)).toBe(0);
  });

  test('when CHANGELOG.md was edited or is missing, then the check fails, and npm run changelog writes it again', () => {
    write(CHANGELOG, readFileSync(join(dir, CHANGELOG), 'utf8').replace('2.0.0', '2.0.5'));
    expect(main(['--check'], (line) => lines.push(line), dir)).toBe(1);
    expect(lines.join('\n')).toMatch(/CHANGELOG.md is not what/);
    expect(main([], (line) => lines.push(line), dir)).toBe(0);
    expect(main(['--check'], (line) => lines.push(line), dir)).toBe(0);
    rmSync(join(dir, CHANGELOG));
    expect(main(['--check'], (line) => lines.push(line), dir)).toBe(1);
  });

  test('when the published contract is newer than the record, then the check fails', () => {
    write(PUBLISHED, JSON.stringify(contract('2.1.0')));
    expect(main(['--check'], (line) => lines.push(line), dir)).toBe(1);
    expect(lines.join('\n')).toMatch(/versions.json ends with 2.0.1, spec\/published\/openapi.json is 2.1.0/);
  });

  test('when an unknown argument is given, then it exits 2', () => {
    expect(main(['--write'], (line) => lines.push(line), dir)).toBe(2);
  });
});

test('the committed CHANGELOG.md is what the committed record gives, and the record ends with the published version', () => {
  const lines: string[] = [];
  expect(main(['--check'], (line) => lines.push(line), root)).toBe(0);
  const record = JSON.parse(readFileSync(join(root, VERSIONS), 'utf8')) as Publication[];
  expect(record.length).toBeGreaterThan(0);
});
