/**
 * spec:publish: the version bump each kind of change gets, the refusals (stale generated/,
 * breaking changes without --major, nothing new, a version edited by hand), and a whole
 * publication in a copy of the repository's spec files with the generator stubbed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { main, nextVersion, planPublication, withVersion, type PublishTools } from './spec-publish';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- hand-made OpenAPI documents

const root = join(__dirname, '..');

function contract(version = '1.2.3'): Json {
  return {
    openapi: '3.0.3',
    info: { title: 'test', version },
    paths: {
      '/partner/v1/me': {
        get: {
          operationId: 'getPartnerMe',
          security: [{ oauth2: ['partner:profile.read'] }],
          responses: {
            '200': {
              description: 'OK',
              content: { 'application/json': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } },
            },
          },
        },
      },
    },
    components: {
      securitySchemes: { oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: { 'partner:profile.read': '' } } } } },
    },
  };
}

function edited(edit: (doc: Json) => void, version?: string): Json {
  const doc = contract(version);
  edit(doc);
  return doc;
}
const meSchema = (doc: Json) => doc.paths['/partner/v1/me'].get.responses['200'].content['application/json'].schema;

describe('nextVersion', () => {
  test('a major bump resets minor and patch, a minor bump resets patch', () => {
    expect([nextVersion('1.2.3', 'major'), nextVersion('1.2.3', 'minor'), nextVersion('1.2.3', 'patch')]).toEqual(['2.0.0', '1.3.0', '1.2.4']);
  });
  test('a version that is not major.minor.patch is refused', () => {
    for (const version of ['1.2', 'v1.2.3', '1.2.3-rc.1', '1.2.3+build', ' 1.2.3']) expect(() => nextVersion(version, 'minor')).toThrow(/major.minor.patch/);
  });
});

describe('planPublication', () => {
  test('when nothing was published, then the contract is published with its version as it is', () => {
    expect(planPublication(null, contract('0.1.0'))).toEqual({ action: 'first', version: '0.1.0' });
  });

  test('when a field is added, then the minor version goes up', () => {
    const plan = planPublication(
      contract(),
      edited((doc) => (meSchema(doc).properties.name = { type: 'string' })),
    );
    expect(plan).toMatchObject({ action: 'bump', bump: 'minor', version: '1.3.0' });
  });

  test('when only a description changes, then the patch version goes up', () => {
    const plan = planPublication(
      contract(),
      edited((doc) => (doc.paths['/partner/v1/me'].get.description = 'Who the partner is.')),
    );
    expect(plan).toMatchObject({ action: 'bump', bump: 'patch', version: '1.2.4' });
  });

  test('when a change breaks clients, then publishing is refused without --major', () => {
    const removed = edited((doc) => delete doc.paths['/partner/v1/me']);
    const plan = planPublication(contract(), removed);
    expect(plan).toMatchObject({ action: 'refuse', reason: expect.stringMatching(/breaking.*--major/) });
    expect(plan.action === 'refuse' && plan.diff?.breaking.length).toBeGreaterThan(0);
    expect(planPublication(contract(), removed, { major: true })).toMatchObject({ action: 'bump', bump: 'major', version: '2.0.0' });
  });

  test('when nothing changed, then there is nothing to publish', () => {
    expect(planPublication(contract(), contract())).toMatchObject({ action: 'refuse', reason: expect.stringMatching(/nothing to publish/) });
  });

  test('when info.version was edited by hand, then publishing is refused', () => {
    expect(planPublication(contract('1.2.3'), contract('1.3.0'))).toMatchObject({ action: 'refuse', reason: expect.stringMatching(/leave it at 1.2.3/) });
  });
});

describe('withVersion', () => {
  test('sets info.version of the real spec/openapi.yaml and changes nothing else', () => {
    const text = readFileSync(join(root, 'spec/openapi.yaml'), 'utf8');
    const updated = withVersion(text, '9.8.7');
    expect((parseYaml(updated) as Json).info.version).toBe('9.8.7');
    const otherLines = (source: string) => source.split('\n').filter((line) => !/^\s+version:/.test(line));
    expect(otherLines(updated)).toEqual(otherLines(text));
    expect(updated.split('\n').filter((line, index) => line !== text.split('\n')[index])).toHaveLength(1);
  });
});

describe('npm run spec:publish in a copy of the repository', () => {
  let dir: string;
  let generated: boolean[];
  let fresh: boolean;
  const lines: string[] = [];
  const spec = () => readFileSync(join(dir, 'spec/openapi.yaml'), 'utf8');
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const read = (path: string) => JSON.parse(readFileSync(join(dir, path), 'utf8')) as Json;
  /** A stand-in for npm run generate: bundles "the spec" by copying its version into generated/. */
  const tools = (): PublishTools => ({
    log: (line) => lines.push(line),
    dir,
    now: () => new Date('2026-12-09T10:00:00Z'),
    generate: (check) => {
      generated.push(check);
      if (!check)
        write(
          'generated/openapi.json',
          JSON.stringify({
            ...read('generated/openapi.json'),
            info: { ...read('generated/openapi.json').info, version: (parseYaml(spec()) as Json).info.version },
          }),
        );
      return check ? fresh : true;
    },
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cynod-spec-publish-'));
    generated = [];
    fresh = true;
    lines.length = 0;
    write('spec/openapi.yaml', withVersion(readFileSync(join(root, 'spec/openapi.yaml'), 'utf8'), '1.2.3'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('when generated/ is stale, then it refuses and writes nothing', () => {
    fresh = false;
    write('generated/openapi.json', JSON.stringify(contract()));
    expect(main([], tools())).toBe(1);
    expect(lines.join('\n')).toMatch(/generated\/ does not match spec\//);
    expect(() => read('spec/published/openapi.json')).toThrow();
  });

  test('when nothing was published, then the bundle becomes the published contract as it is', () => {
    write('generated/openapi.json', JSON.stringify(contract()));
    expect(main([], tools())).toBe(0);
    expect(read('spec/published/openapi.json')).toEqual(contract());
    expect(generated).toEqual([true]);
    expect(read('spec/published/versions.json')).toMatchObject([
      { version: '1.2.3', date: '2026-12-09', changes: { breaking: [], info: [{ rule: 'operation-added', operationId: 'getPartnerMe' }] } },
    ]);
    expect(readFileSync(join(dir, 'CHANGELOG.md'), 'utf8')).toMatch(/## 1\.2\.3 \(2026-12-09\)\n\nFirst publication: 1 operations/);
  });

  test('when a field was added, then the minor version is set in the spec, regenerated and published', () => {
    write('spec/published/openapi.json', JSON.stringify(contract()));
    write('generated/openapi.json', JSON.stringify(edited((doc) => (meSchema(doc).properties.name = { type: 'string' }))));
    expect(main([], tools())).toBe(0);
    expect((parseYaml(spec()) as Json).info.version).toBe('1.3.0');
    expect(generated).toEqual([true, false]);
    expect(read('spec/published/openapi.json')).toEqual(read('generated/openapi.json'));
    expect(read('spec/published/openapi.json').info.version).toBe('1.3.0');
    expect(read('spec/published/versions.json')).toMatchObject([
      { version: '1.3.0', date: '2026-12-09', changes: { breaking: [], info: [{ rule: 'field-added', operationId: 'getPartnerMe' }] } },
    ]);
    expect(readFileSync(join(dir, 'CHANGELOG.md'), 'utf8')).toMatch(
      /## 1\.3\.0 \(2026-12-09\)[\s\S]*`GET \/partner\/v1\/me` \(`getPartnerMe`\): response 200 `name`: optional response field name added/,
    );
  });

  test('when a change breaks clients, then it refuses without --major and names the change, and publishes 2.0.0 with it', () => {
    write('spec/published/openapi.json', JSON.stringify(contract()));
    write('generated/openapi.json', JSON.stringify(edited((doc) => delete meSchema(doc).properties.id)));
    expect(main([], tools())).toBe(1);
    expect(lines.join('\n')).toMatch(/BREAKING[\s\S]*refused: 1 breaking change/);
    expect(read('spec/published/openapi.json')).toEqual(contract());
    expect((parseYaml(spec()) as Json).info.version).toBe('1.2.3');
    expect(() => read('spec/published/versions.json')).toThrow();
    expect(main(['--major'], tools())).toBe(0);
    expect(read('spec/published/openapi.json').info.version).toBe('2.0.0');
    expect(read('spec/published/versions.json')).toMatchObject([{ version: '2.0.0', changes: { breaking: [{ rule: 'response-field-removed' }] } }]);
  });

  test('when an unknown option is given, then it exits 2', () => {
    expect(main(['--minor'], tools())).toBe(2);
  });
});

test('the published contract is the committed bundle, published: spec/published/openapi.json holds its version', () => {
  const published = JSON.parse(readFileSync(join(root, 'spec/published/openapi.json'), 'utf8')) as Json;
  const specVersion = (parseYaml(readFileSync(join(root, 'spec/openapi.yaml'), 'utf8')) as Json).info.version;
  expect(published.info.version).toBe(specVersion);
});
