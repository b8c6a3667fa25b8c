/** The CLI: its commands on a test database, then the CLI itself beside a running server. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli/commands';
import { authenticatePartner } from '../src/auth/identity';
import { createTestDatabase, type TestDatabase } from './support/database';
import { basic, call, form, FORM } from './support/http';
import { npmStart, type StartedServer } from './support/npm-start';

jest.setTimeout(300_000);

const settings = { authFailureLimit: 10, authFailureWindowSeconds: 60 };
const COMMANDS = ['partner create', 'partner list', 'partner disable', 'lockouts list', 'lockouts clear', 'ledger check'];

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

async function cli(...argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  await runCli(argv, database.db, (line) => lines.push(line), settings);
  return lines;
}

describe('npm run cli -- partner', () => {
  it('when a partner is created, then its key and secret are printed once and authenticate it', async () => {
    const lines = await cli('partner', 'create', '--name', 'Moov Africa', '--scopes', 'partner:profile.read');
    const key = lines.find((line) => line.startsWith('consumer-key:'))!.split(/\s+/)[1];
    const secret = lines.find((line) => line.startsWith('consumer-secret:'))!.split(/\s+/)[1];
    expect(secret).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
    await expect(authenticatePartner(database.db, key, secret)).resolves.toMatchObject({ partner: { name: 'Moov Africa' } });

    const listed = await cli('partner', 'list');
    expect(listed.join('\n')).toContain(key);
    expect(listed.join('\n')).not.toContain(secret);
  });

  it('when a partner is disabled, then its credentials stop authenticating', async () => {
    const lines = await cli('partner', 'create', '--name', 'Ecobank', '--scopes', 'partner:profile.read');
    const key = lines[1].split(/\s+/)[1];
    const secret = lines[2].split(/\s+/)[1];
    await cli('partner', 'disable', key);
    await expect(authenticatePartner(database.db, key, secret)).resolves.toMatchObject({ partner: null });
  });

  it('when a partner is created with --internal, then it may hold Core scopes and the list says internal', async () => {
    const lines = await cli('partner', 'create', '--name', 'Back-office', '--scopes', 'core:partners.write,core:cards.read', '--internal');
    expect(lines[0]).toMatch(/, internal$/);
    const key = lines[1].split(/\s+/)[1];
    const secret = lines[2].split(/\s+/)[1];
    await expect(authenticatePartner(database.db, key, secret)).resolves.toMatchObject({ partner: { scopes: ['core:partners.write', 'core:cards.read'] } });
    const listed = await cli('partner', 'list');
    expect(listed[0].split(/\s+/)).toEqual(['ID', 'STATUS', 'CONSUMER-KEY', 'BASIC', 'INTERNAL', 'NAME', 'SCOPES']);
    const row = listed.find((line) => line.includes(key))!;
    expect(row.split(/\s+/)).toEqual([expect.stringMatching(/^ptn_/), 'active', key, 'no', 'yes', 'Back-office', 'core:partners.write,core:cards.read']);
    expect(row.indexOf(key)).toBe(listed[0].indexOf('CONSUMER-KEY')); // the columns line up under their headers
  });

  it.each(COMMANDS)('when %s --help is asked, then its usage and description are printed without touching the database', async (command) => {
    const before = await database.db.query('SELECT count(*)::int AS n FROM partners');
    const lines = await cli(...command.split(' '), '--help');
    expect(lines[0]).toMatch(new RegExp(`^usage: npm run cli -- ${command}\\b`));
    expect(lines.length).toBeGreaterThan(2);
    expect(await cli(...command.split(' '), '-h')).toEqual(lines);
    expect(await database.db.query('SELECT count(*)::int AS n FROM partners')).toEqual(before);
  });

  it.each(['partner', 'lockouts', 'ledger'])('when %s --help is asked, then its commands are listed', async (area) => {
    const lines = await cli(area, '--help');
    expect(lines[0]).toBe(`usage: npm run cli -- ${area} <command> [options]`);
    for (const command of COMMANDS.filter((name) => name.startsWith(`${area} `)))
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  ${command}  `)));
  });

  it.each([
    [['partner', 'list', '--bogus'], /Unknown option '--bogus'[\s\S]*usage: npm run cli -- partner list$/],
    [['partner', 'disable'], /^usage: npm run cli -- partner disable <partner-id \| consumer-key>$/],
    [['partner', 'disable', 'a', 'b'], /^usage: npm run cli -- partner disable/],
    [['bogus'], /^unknown command: bogus/],
    [['partner', 'create', '--name', 'X', '--scopes', 'core:everything'], /Unknown scope/],
    [['partner', 'create', '--name', 'X', '--scopes', 'partner:profile.read,core:cards.read'], /internal partners only: core:cards.read \(add --internal/],
    [['partner', 'create', '--name', 'X'], /usage/],
    [['partner', 'create', '--name', '   ', '--scopes', 'partner:profile.read'], /name/],
    [['partner', 'disable', 'ptn_unknown'], /no partner/],
    [['partner', 'explode'], /usage/],
  ])('when called with %p, then it refuses with a clear message and changes nothing', async (argv, message) => {
    const before = await database.db.query('SELECT count(*)::int AS n FROM partners');
    await expect(cli(...argv)).rejects.toThrow(message);
    expect(await database.db.query('SELECT count(*)::int AS n FROM partners')).toEqual(before);
  });
});

const root = join(__dirname, '..');

/** `npm run cli -- ...` as a person types it in a second shell, on DATA_DIR=dataDir and the embedded database unless `env` says otherwise. */
function npmCli(dataDir: string, argv: string[], env: Record<string, string> = {}) {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const run = spawnSync('npm', ['run', '-s', 'cli', '--', ...argv], { cwd: root, env: { ...inherited, DATA_DIR: dataDir, ...env }, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, lines: run.stdout.trimEnd().split('\n') };
}

/** A token request on a fresh connection (spawnSync blocks this process's event loop, so a kept-alive one may have been closed by the server unnoticed). */
const tokenRequest = (url: string, key: string, secret: string) =>
  call(`${url}/oauth/token`, {
    method: 'POST',
    headers: { ...FORM, authorization: basic(key, secret), connection: 'close' },
    body: form({ grant_type: 'client_credentials' }),
  });

describe('the CLI beside a running server (npm start on the embedded database)', () => {
  let scratch: string;
  let dataDir: string;
  let server: StartedServer;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'cynod-cli-'));
    dataDir = join(scratch, 'data');
    server = await npmStart(dataDir);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('when --help is asked of the CLI or of a command, then it answers on stdout with exit status 0 while the server holds the database', () => {
    const general = npmCli(dataDir, ['--help']);
    expect([general.status, general.stderr]).toEqual([0, '']);
    expect(general.stdout).toMatch(/^usage: npm run cli -- <command> \[options\]$/m);
    for (const command of COMMANDS) expect(general.stdout).toMatch(new RegExp(`^  ${command}  `, 'm'));

    const help = npmCli(dataDir, ['partner', 'create', '--help']);
    expect([help.status, help.stderr]).toEqual([0, '']);
    expect(help.lines[0]).toBe(
      'usage: npm run cli -- partner create --name <name> --scopes <scope,scope...> [--basic] [--internal] [--certificate <file.pem>]',
    );
  });

  it('when --help or a wrong command line is given, then no database is needed: nothing is opened or created', () => {
    const nowhere = join(scratch, 'never-created');
    const unreachable = { DATA_DIR: nowhere, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    expect(npmCli(nowhere, ['--help'], unreachable)).toMatchObject({ status: 0, stderr: '' });
    expect(npmCli(nowhere, ['partner', 'create', '--help'])).toMatchObject({ status: 0, stderr: '' });
    const wrong = npmCli(nowhere, ['partner', 'list', '--bogus']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/Unknown option '--bogus'[\s\S]*usage: npm run cli -- partner list/);
    expect(existsSync(nowhere)).toBe(false);
  });

  it('when a partner is created beside the server, then the server knows it at once, the list shows it under headers, and disabling it stops its tokens', async () => {
    const created = npmCli(dataDir, ['partner', 'create', '--name', 'Wave CI', '--scopes', 'partner:profile.read']);
    expect([created.status, created.stderr]).toEqual([0, '']);
    const key = created.lines.find((line) => line.startsWith('consumer-key:'))!.split(/\s+/)[1];
    const secret = created.lines.find((line) => line.startsWith('consumer-secret:'))!.split(/\s+/)[1];
    expect((await tokenRequest(server.url, key, secret)).status).toBe(200);

    const listed = npmCli(dataDir, ['partner', 'list']);
    expect(listed.status).toBe(0);
    expect(listed.lines[0].split(/\s+/)).toEqual(['ID', 'STATUS', 'CONSUMER-KEY', 'BASIC', 'INTERNAL', 'NAME', 'SCOPES']);
    expect(listed.lines.find((line) => line.includes(key))!.split(/\s+/)).toEqual([
      expect.stringMatching(/^ptn_/),
      'active',
      key,
      'no',
      'no',
      'Wave',
      'CI',
      'partner:profile.read',
    ]);
    expect(listed.stdout).not.toContain(secret);

    expect(npmCli(dataDir, ['partner', 'disable', key])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^partner disabled: ptn_\S+ \(Wave CI\)/) });
    expect((await tokenRequest(server.url, key, secret)).status).toBe(401);
    const refused = npmCli(dataDir, ['partner', 'disable', 'ptn_unknown']);
    expect([refused.status, refused.stdout, refused.stderr.trim()]).toEqual([2, '', 'no partner with id or consumer-key ptn_unknown']);
  });

  it('when authentications fail beside the server, then lockouts list shows them under headers and lockouts clear forgets them', async () => {
    const created = npmCli(dataDir, ['partner', 'create', '--name', 'Mistyped', '--scopes', 'partner:profile.read']);
    const key = created.lines.find((line) => line.startsWith('consumer-key:'))!.split(/\s+/)[1];
    expect((await tokenRequest(server.url, key, 'cs_wrong')).status).toBe(401);

    const listed = npmCli(dataDir, ['lockouts', 'list']);
    expect(listed.status).toBe(0);
    expect(listed.lines[0].split(/\s+/)).toEqual(['KIND', 'SUBJECT', 'FAILURES', 'LOCKED-UNTIL', 'FADES-AT']);
    expect(listed.lines.find((line) => line.startsWith('address '))!.split(/\s+/)).toEqual([
      'address',
      '127.0.0.1',
      expect.stringMatching(/^[\d.]+\/\d+$/),
      '-',
      expect.stringMatching(/Z$/),
    ]);
    expect(listed.lines.some((line) => line.startsWith(`consumer-key  ${key}`))).toBe(true);

    expect(npmCli(dataDir, ['lockouts', 'clear'])).toMatchObject({
      status: 0,
      stdout: expect.stringMatching(/^cleared the failures of \d+ address\(es\) and key\(s\)/),
    });
    expect(npmCli(dataDir, ['lockouts', 'list']).lines).toEqual(['no failed authentications counted']);
  });

  it('when the ledger is checked beside the server, then every invariant holds', () => {
    const checked = npmCli(dataDir, ['ledger', 'check']);
    expect([checked.status, checked.stderr]).toEqual([0, '']);
    expect(checked.lines.at(-1)).toMatch(/^all \d+ ledger invariants hold$/);
  });

  it('when the server runs, then its CLI channel is a socket in the data directory only its owner can use, not a network port', () => {
    const socket = statSync(join(dataDir, 'cynod-cli.sock'));
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it('when the project is built, then node dist/cli.js answers --help and runs its commands beside the server', () => {
    const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, encoding: 'utf8' });
    expect([build.status, build.stderr]).toEqual([0, '']);
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const node = join(root, 'node_modules/.bin/node');
    const dist = (...argv: string[]) => spawnSync(node, ['dist/cli.js', ...argv], { cwd: root, env: { ...env, DATA_DIR: dataDir }, encoding: 'utf8' });

    const help = dist('--help');
    expect([help.status, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/^usage: node dist\/cli\.js <command> \[options\]$/m);
    expect(dist('lockouts', 'clear', '--help').stdout).toMatch(/^usage: node dist\/cli\.js lockouts clear \[<address \| consumer-key>\]$/m);
    const listed = dist('partner', 'list');
    expect([listed.status, listed.stderr]).toEqual([0, '']);
    expect(listed.stdout).toMatch(/^ID +STATUS +CONSUMER-KEY/);
    expect(listed.stdout).toMatch(/^ptn_\S+ +active +ck_/m);
  });
});
