import type { Database, Queryable } from '../db/database';
import { SYSTEM_ACTORS } from './actor';
import { AppError } from './app-error';
import { idempotent } from './idempotency';

/**
 * A database whose key claims answer as `claims` says, in turn (true: the key is free and
 * nothing is stored; false: another request holds it); it records the statements it runs.
 */
function fakeDatabase(claims: boolean[]) {
  const statements: string[] = [];
  const tx: Queryable = {
    async query<Row>(sql: string) {
      statements.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
      return (sql.includes('pg_try_advisory_xact_lock') ? [{ claimed: claims.shift() ?? true, stored: null }] : []) as Row[];
    },
    async exec() {},
    transaction: (work) => work(tx),
    beforeCommit: () => undefined,
  };
  const db = { ...tx, kind: 'pglite', close: async () => {} } as Database;
  return { db, statements };
}

const request = { key: 'k-1', operation: 'createPayment', fingerprint: 'f' };
const refused = () => {
  throw new AppError('INSUFFICIENT_FUNDS', 'not enough');
};

describe('idempotent', () => {
  it('when the key is held by a request in flight, then 409 4030 is thrown and nothing is stored', async () => {
    const { db, statements } = fakeDatabase([false]);
    await expect(idempotent(db, SYSTEM_ACTORS.system, request, async () => 'done')).rejects.toMatchObject({ codeName: 'IDEMPOTENCY_KEY_IN_FLIGHT', status: 409 });
    expect(statements.filter((sql) => sql.startsWith('INSERT INTO idempotency_keys'))).toEqual([]);
  });

  it('when the work is refused, then the refusal is stored under the key in a transaction of its own', async () => {
    const { db, statements } = fakeDatabase([true, true]);
    await expect(idempotent(db, SYSTEM_ACTORS.system, request, async () => refused())).rejects.toMatchObject({ codeName: 'INSUFFICIENT_FUNDS' });
    expect(statements.filter((sql) => sql.startsWith('INSERT INTO idempotency_keys'))).toHaveLength(1);
  });

  it('when a duplicate takes the key between the refused work and the storing of its refusal, then 409 4030 is thrown and never stored', async () => {
    const { db, statements } = fakeDatabase([true, false]);
    await expect(idempotent(db, SYSTEM_ACTORS.system, request, async () => refused())).rejects.toMatchObject({ codeName: 'IDEMPOTENCY_KEY_IN_FLIGHT' });
    expect(statements.filter((sql) => sql.startsWith('INSERT INTO idempotency_keys'))).toEqual([]);
  });
});
