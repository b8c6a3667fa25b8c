/**
 * Migration 009 on a database made before it: partners holding Core scopes that CYNOD itself
 * created (CLI, demo data) become internal; one given Core scopes through the API does not,
 * so its tokens lose them.
 */
import { migrationFiles } from '../src/db/migrate';
import { partnerActor, SYSTEM_ACTORS } from '../src/domain/actor';
import { createPartner } from '../src/domain/partners/partners';
import { createTestDatabase, type TestDatabase } from './support/database';
import { usedSecret } from './support/server';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

it('when migration 009 runs on partners made before it, then only the Core-scoped ones CYNOD created become internal', async () => {
  const db = database.db;
  const made = async (...args: Parameters<typeof createPartner>) => {
    const { partner, consumerSecret } = await createPartner(...args);
    usedSecret(consumerSecret);
    return partner;
  };
  const byCli = await made(db, SYSTEM_ACTORS.cli, { name: 'Back-office', scopes: ['core:partners.write', 'core:cards.read'], internal: true });
  const byDemo = await made(db, SYSTEM_ACTORS.demo, { name: 'Démo', scopes: ['core:cards.read'], internal: true });
  const admin = partnerActor({ id: byCli.id, name: byCli.name, scopes: byCli.scopes }, { requestId: 'req-migration-009', address: '127.0.0.1' });
  const viaApi = await made(db, admin, { name: 'Via API', scopes: ['core:cards.read'], internal: true });
  const plain = await made(db, SYSTEM_ACTORS.cli, { name: 'Orange Money', scopes: ['partner:profile.read'] });

  // The state before 009, then 009 itself.
  await db.exec('ALTER TABLE partners DROP COLUMN internal; ALTER TABLE partner_credentials DROP COLUMN created_by');
  await db.exec(migrationFiles().find((file) => file.name === '009_partner_internal.sql')!.sql);

  const rows = await db.query<{ id: string; internal: boolean }>('SELECT id, internal FROM partners WHERE id = ANY($1)', [
    [byCli.id, byDemo.id, viaApi.id, plain.id],
  ]);
  expect(Object.fromEntries(rows.map((row) => [row.id, row.internal]))).toEqual({ [byCli.id]: true, [byDemo.id]: true, [viaApi.id]: false, [plain.id]: false });
  expect(await db.query('SELECT DISTINCT created_by FROM partner_credentials')).toEqual([{ created_by: null }]);
});
