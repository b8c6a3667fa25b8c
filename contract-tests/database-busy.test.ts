/**
 * Database contention at the HTTP layer, on any database: errors a transaction gives up on
 * (serialization failures, deadlocks and lock timeouts after the retries) and statement
 * timeouts are answered 503 DATABASE_BUSY (9998) with Retry-After, never 500. The same answer
 * from a real held lock on PostgreSQL is in transactions.test.ts.
 */
import { handlers } from '../src/handlers';
import { createTestDatabase, type TestDatabase } from './support/database';
import { expectDocumented } from './support/contract';
import { call } from './support/http';
import { startTestServer } from './support/server';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

const pgError = (code: string, message = `planted SQLSTATE ${code}`) => Object.assign(new Error(message), { code });

describe('when database contention reaches the HTTP layer', () => {
  const planted = (error: Error) =>
    startTestServer({
      database,
      handlers: {
        ...handlers,
        getReady: async ({ db: serverDb }) => serverDb.transaction(async () => Promise.reject(error), { retries: 1 }),
      },
    });

  it.each([
    ['a serialization failure outliving the retries', pgError('40001')],
    ['a deadlock outliving the retries', pgError('40P01')],
    ['a lock timeout outliving the retries', pgError('55P03')],
    ['a statement timeout', pgError('57014', 'canceling statement due to statement timeout')],
  ])('when %s reaches the error mapper, then the answer is 503 DATABASE_BUSY with Retry-After, never 500', async (_name, error) => {
    const server = await planted(error);
    try {
      const answer = await call(`${server.url}/ready`);

      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ success: false, code: '9998', debugMessage: 'The database is busy; retry later' });
      expect(answer.headers.get('retry-after')).toBe('1');
      expectDocumented('getReady', 503, answer.body);
    } finally {
      await server.stop();
    }
  });

  it('when the token endpoint meets a busy database, then it answers temporarily_unavailable with code 9998 in RFC shape', async () => {
    const busy = await startTestServer({ database });
    const original = database.db.query;
    try {
      database.db.query = async () => Promise.reject(pgError('55P03'));
      const answer = await call(`${busy.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('ck_x:cs_y').toString('base64')}` },
        body: 'grant_type=client_credentials',
      });

      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ error: 'temporarily_unavailable', success: false, code: '9998' });
      expect(answer.headers.get('retry-after')).toBe('1');
      expectDocumented('createToken', 503, answer.body);
    } finally {
      database.db.query = original;
      await busy.stop();
    }
  });
});
