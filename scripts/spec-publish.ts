/**
 * `npm run spec:publish` publishes the contract: it copies the bundled contract
 * (generated/openapi.json) to spec/published/openapi.json, the contract partners have, which CI
 * compares every change against (`npm run spec:diff`). Publishing is a deliberate step, one
 * commit: spec/openapi.yaml (the version), generated/, spec/published/ and CHANGELOG.md together.
 *
 * It refuses when generated/ does not match spec/ (run `npm run generate` first), and it sets
 * `info.version` (in spec/openapi.yaml, then regenerates) from the changes since the last
 * publication, as spec:diff classifies them:
 * - breaking changes: major (x+1.0.0), refused unless `--major` is given;
 * - additions or warnings (new operations, fields, statuses, enum values...): minor (x.y+1.0);
 * - nothing spec:diff sees, but the document differs (descriptions, examples): patch (x.y.z+1);
 * - no difference at all: refused, nothing to publish.
 * `--major` forces a major version even without breaking changes. info.version is spec:publish's
 * to set: it refuses when spec/openapi.yaml already carries another version than the published
 * one. The first publication (no spec/published/openapi.json yet) keeps the version as it is.
 *
 * It records the publication in spec/published/versions.json (its version, day and changes) and
 * writes CHANGELOG.md from that record (scripts/changelog.ts).
 *
 * Exit 0: published; 1: refused (stale generated/, breaking without --major, nothing new,
 * version edited by hand); 2: bad arguments.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { inc, prerelease, valid } from 'semver';
import { parse as parseYaml } from 'yaml';
import { CHANGELOG, NOTHING_PUBLISHED, readPublications, VERSIONS, writePublications } from './changelog';
import { BUNDLE, diffContracts, PUBLISHED, report, type ContractDiff } from './spec-diff';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- an arbitrary OpenAPI document

export type Bump = 'major' | 'minor' | 'patch';

/** The root of the multi-file contract, which holds info.version. */
export const SPEC_ROOT = 'spec/openapi.yaml';

/** The version after a bump of a plain `major.minor.patch` version (no `v`, pre-release or build). */
export function nextVersion(current: string, bump: Bump): string {
  const next = valid(current) === current && prerelease(current) === null ? inc(current, bump) : null;
  if (!next) throw new Error(`info.version ${current} is not major.minor.patch`);
  return next;
}

export type Plan =
  | { action: 'first'; version: string }
  | { action: 'bump'; bump: Bump; version: string; diff: ContractDiff }
  | { action: 'refuse'; reason: string; diff?: ContractDiff };

/** What publishing `bundle` after `published` (null: never published) means for the version. */
export function planPublication(published: Json | null, bundle: Json, options: { major?: boolean } = {}): Plan {
  if (published === null) return { action: 'first', version: String(bundle.info.version) };
  const version = String(published.info.version);
  if (bundle.info.version !== version) {
    return {
      action: 'refuse',
      reason: `${SPEC_ROOT} has info.version ${bundle.info.version}, the published contract ${version}: leave it at ${version}, spec:publish sets it`,
    };
  }
  const diff = diffContracts(published, bundle);
  if (diff.breaking.length > 0 && !options.major) {
    return {
      action: 'refuse',
      reason: `${diff.breaking.length} breaking change(s) since ${version}: a major version; publish with --major if that is intended`,
      diff,
    };
  }
  let bump: Bump;
  if (options.major) bump = 'major';
  else if (diff.warnings.length > 0 || diff.info.length > 0) bump = 'minor';
  else if (JSON.stringify(published) !== JSON.stringify(bundle)) bump = 'patch';
  else return { action: 'refuse', reason: `nothing to publish: the contract is the published ${version}` };
  return { action: 'bump', bump, version: nextVersion(version, bump), diff };
}

/** spec/openapi.yaml with `info.version` set (the rest of the text untouched). */
export function withVersion(specText: string, version: string): string {
  const updated = specText.replace(/^(info:\r?\n(?:(?:[ \t]+.*)?\r?\n)*?[ \t]+version:[ \t]*).*$/m, `$1${version}`);
  const parsed = parseYaml(updated) as Json;
  if (parsed?.info?.version !== version) throw new Error(`could not set info.version in ${SPEC_ROOT}`);
  return updated;
}

export interface PublishTools {
  log: (line: string) => void;
  /** The folder holding spec/ and generated/ (the repository; a copy in tests). */
  dir: string;
  /** Runs `npm run generate` (`check`: `generate:check`); false when it fails. */
  generate: (check: boolean) => boolean;
  /** The clock the publication's day is read from (tests fix it). */
  now?: () => Date;
}

const root = resolvePath(__dirname, '..');

function runGenerate(check: boolean): boolean {
  try {
    execFileSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'scripts/generate.ts'), ...(check ? ['--check'] : [])], { cwd: root, stdio: 'inherit' });
    return true;
  } catch {
    return false;
  }
}

export function main(argv: string[], tools: PublishTools = { log: console.log, dir: root, generate: runGenerate }): number {
  const { log, dir, generate, now = () => new Date() } = tools;
  if (argv.some((argument) => argument !== '--major')) {
    log('usage: npm run spec:publish [-- --major]');
    return 2;
  }
  if (!generate(true)) {
    log('spec:publish: generated/ does not match spec/: run npm run generate (and commit) first');
    return 1;
  }
  const read = (path: string) => readFileSync(join(dir, path), 'utf8');
  let published: Json | null;
  try {
    published = JSON.parse(read(PUBLISHED)) as Json;
  } catch {
    published = null; // nothing published yet: the first publication
  }
  const plan = planPublication(published, JSON.parse(read(BUNDLE)) as Json, { major: argv.includes('--major') });
  if ('diff' in plan && plan.diff) report(plan.diff, log);
  if (plan.action === 'refuse') {
    log(`spec:publish: refused: ${plan.reason}`);
    return 1;
  }
  if (plan.action === 'bump') {
    writeFileSync(join(dir, SPEC_ROOT), withVersion(read(SPEC_ROOT), plan.version));
    if (!generate(false)) {
      log('spec:publish: npm run generate failed after setting the version');
      return 1;
    }
  }
  mkdirSync(dirname(join(dir, PUBLISHED)), { recursive: true });
  writeFileSync(join(dir, PUBLISHED), read(BUNDLE));
  // The record of publications, and the partners' changelog written from it (npm run changelog).
  const changes = plan.action === 'first' ? diffContracts(NOTHING_PUBLISHED, JSON.parse(read(BUNDLE)) as Json) : plan.diff;
  writePublications(dir, [...readPublications(dir), { version: plan.version, date: now().toISOString().slice(0, 10), changes }]);
  log(
    `spec:publish: published ${plan.version} (${plan.action === 'first' ? 'first publication' : plan.bump}): commit ${SPEC_ROOT}, generated/, ${PUBLISHED}, ${VERSIONS} and ${CHANGELOG} together`,
  );
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
