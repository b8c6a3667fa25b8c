/** The partner commands, run against a test database. */
import { runCli } from '../src/cli';
import { authenticatePartner } from '../src/domain/partners/partners';
import { createTestDatabase, type TestDatabase } from './support/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

async function cli(...argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  await runCli(argv, database.db, (line) => lines.push(line));
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
    expect((await cli('partner', 'list')).find((line) => line.includes(key))).toContain('\tinternal\t');
  });

  it.each([
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
