import type { Database, Queryable } from '../db/database';
import { SYSTEM_ACTORS } from './actor';
import { AppError } from './app-error';
import { idempotent } from './idempotency';
import { moneyRequestAnswered } from './observation';

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
    await expect(idempotent(db, SYSTEM_ACTORS.system, request, async () => 'done')).rejects.toMatchObject({
      codeName: 'IDEMPOTENCY_KEY_IN_FLIGHT',
      status: 409,
    });
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

describe('idempotent: what it reports to the metrics (src/domain/observation.ts)', () => {
  /** The events published while `work` runs. */
  async function reported(work: () => Promise<unknown>) {
    const events: unknown[] = [];
    const stop = moneyRequestAnswered.subscribe((event) => events.push(event));
    try {
      await work().catch(() => undefined);
    } finally {
      stop();
    }
    return events;
  }

  it('when the work completes, is refused, meets a key in flight or fails, then one event says so, with the operationId and the code name', async () => {
    expect(await reported(() => idempotent(fakeDatabase([true]).db, SYSTEM_ACTORS.system, request, async () => 'done'))).toEqual([
      { operation: 'createPayment', kind: 'completed' },
    ]);
    expect(await reported(() => idempotent(fakeDatabase([true, true]).db, SYSTEM_ACTORS.system, request, async () => refused()))).toEqual([
      { operation: 'createPayment', kind: 'refused', code: 'INSUFFICIENT_FUNDS' },
    ]);
    expect(await reported(() => idempotent(fakeDatabase([false]).db, SYSTEM_ACTORS.system, request, async () => 'done'))).toEqual([
      { operation: 'createPayment', kind: 'key-in-flight' },
    ]);
    const lost = async () => {
      throw new Error('connection lost');
    };
    expect(await reported(() => idempotent(fakeDatabase([true]).db, SYSTEM_ACTORS.system, request, lost))).toEqual([
      { operation: 'createPayment', kind: 'failed' },
    ]);
  });
});
