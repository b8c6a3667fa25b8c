/**
 * Migration 026 on partners made before it: each gets the creator the audit trail records for
 * its `partner.created` event, or else the maker of its oldest secret; a partner with neither
 * (CYNOD's) has none and stands alone, so that maker-checker sees every partner's line.
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

it("when migration 026 runs on partners made before it, then each records the partner the audit trail or its first secret names as creator, and CYNOD's none", async () => {
  const db = database.db;
  const made = async (...args: Parameters<typeof createPartner>) => {
    const { partner, consumerSecret } = await createPartner(...args);
    usedSecret(consumerSecret);
    return partner;
  };
  const byCli = await made(db, SYSTEM_ACTORS.cli, { name: 'Back-office', scopes: ['core:partners.write', 'core:orders.validate'], internal: true });
  const admin = partnerActor({ id: byCli.id, name: byCli.name, scopes: byCli.scopes }, { requestId: 'req-migration-026', address: '127.0.0.1' });
  const audited = await made(db, admin, { name: 'Via API', scopes: ['core:orders.validate'], internal: true });
  const secretOnly = await made(db, admin, { name: 'Sans trace', scopes: [] });
  await db.query("DELETE FROM audit_events WHERE resource_id = $1 AND action = 'partner.created'", [secretOnly.id]);

  // The state before 026, then 026 itself.
  await db.exec('ALTER TABLE partners DROP COLUMN created_by');
  await db.exec(migrationFiles().find((file) => file.name === '026_partner_creators.sql')!.sql);

  const rows = await db.query<{ id: string; created_by: string | null }>('SELECT id, created_by FROM partners WHERE id = ANY($1)', [
    [byCli.id, audited.id, secretOnly.id],
  ]);
  expect(Object.fromEntries(rows.map((row) => [row.id, row.created_by]))).toEqual({ [byCli.id]: null, [audited.id]: byCli.id, [secretOnly.id]: byCli.id });
});
