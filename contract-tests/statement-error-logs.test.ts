/**
 * A failed statement is logged by its class, SQLSTATE and statement name, never by its
 * parameters or by PostgreSQL's message (which quotes the offending value): sealed card numbers, hashes and
 * offered client ids once reached the logs that way.
 */
import { Writable } from 'node:stream';
import { createLogger } from '../src/http/logger';
import { AppError } from '../src/domain/app-error';
import { createTestDatabase, type TestDatabase } from './support/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  return { logger: createLogger('info', sink), text: () => lines.join('') };
}

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('the statement did not fail');
}

describe('when a statement fails with secret parameters', () => {
  it('then the logged error names the statement and its SQLSTATE, and carries neither values nor message', async () => {
    const secret = 'sealed-7070701234564321';
    const error = await failure(() => database.db.query('SELECT $1::int AS n', [secret]));
    const { logger, text } = capture();
    logger.error({ err: error }, 'unexpected error');
    const line = JSON.parse(text()) as { err: Record<string, unknown> };
    expect(text()).not.toContain(secret);
    expect(text()).not.toContain('7070701234564321');
    expect(line.err).toMatchObject({ code: '22P02', condition: 'statement_failed', statement: expect.stringMatching(/^s_[0-9a-f]{24}$/) });
  });

  it('then a unique violation still names its constraint for the domain, and its detail (the duplicate value) is gone', async () => {
    await database.db.exec('CREATE TEMP TABLE secrets_probe (value text UNIQUE)');
    await database.db.query('INSERT INTO secrets_probe VALUES ($1)', ['hash-abcdef0123']);
    const error = (await failure(() => database.db.query('INSERT INTO secrets_probe VALUES ($1)', ['hash-abcdef0123']))) as Record<string, unknown>;
    expect(error).toMatchObject({ code: '23505', constraint: 'secrets_probe_value_key' });
    expect(JSON.stringify({ ...error })).not.toContain('hash-abcdef0123');
    const { logger, text } = capture();
    logger.error({ err: new AppError('SYSTEM_ERROR', 'wrapped', { cause: error }) }, 'unexpected error');
    expect(text()).not.toContain('hash-abcdef0123');
    expect(text()).toContain('23505');
  });
});
