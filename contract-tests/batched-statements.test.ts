/**
 * The statements batched per turn of the event loop (src/db/batched.ts) on a real engine
 * (PostgreSQL with DATABASE_URL, else PGlite): `unnest(...) WITH ORDINALITY` routes each row
 * to its call, a failing batch fails every call, and nothing is kept from one turn to the next.
 */
import type { Database } from '../src/db/database';
import { batchedStatement } from '../src/db/batched';
import { createTestDatabase, type TestDatabase } from './support/database';

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await db.exec(`CREATE TABLE batch_notes (owner text NOT NULL, position integer NOT NULL, note text NOT NULL, PRIMARY KEY (owner, position));
    INSERT INTO batch_notes VALUES ('ann', 1, 'first'), ('ann', 2, 'second'), ('bob', 1, 'only')`);
});
afterAll(() => database.dispose());

/** An owner's notes from a position on, divided by a divisor (0 makes the statement fail). */
const notesOf = batchedStatement<[owner: string, from: number, divisor: number], { ord: string; note: string; share: number }>(
  `SELECT batch.ord, n.note, (n.position / batch.divisor)::int AS share
     FROM unnest($1::text[], $2::int[], $3::int[]) WITH ORDINALITY AS batch (owner, position, divisor, ord)
     JOIN batch_notes n ON n.owner = batch.owner AND n.position >= batch.position
    ORDER BY batch.ord, n.position`,
);

describe('a statement batched per turn, on the database', () => {
  it('when calls are made in one turn, then each gets its own rows, in the statement order, and a call without rows none', async () => {
    const [ann, bob, annFromTwo, nobody, annAgain] = await Promise.all([
      notesOf(db, ['ann', 1, 1]),
      notesOf(db, ['bob', 1, 1]),
      notesOf(db, ['ann', 2, 1]),
      notesOf(db, ['nobody', 1, 1]),
      notesOf(db, ['ann', 1, 1]),
    ]);

    expect(ann.map((row) => row.note)).toEqual(['first', 'second']);
    expect(bob.map((row) => row.note)).toEqual(['only']);
    expect(annFromTwo.map((row) => row.note)).toEqual(['second']);
    expect(nobody).toEqual([]);
    expect(annAgain.map((row) => row.note)).toEqual(['first', 'second']);
  });

  it('when the statement of a batch fails, then every call of it fails with the error, and the next turn is answered again', async () => {
    const results = await Promise.allSettled([notesOf(db, ['ann', 1, 1]), notesOf(db, ['bob', 1, 0])]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(results.map((result) => (result as PromiseRejectedResult).reason?.code)).toEqual(['22012', '22012']); // division_by_zero

    await db.query("UPDATE batch_notes SET note = 'changed' WHERE owner = 'bob'");
    await expect(notesOf(db, ['bob', 1, 1])).resolves.toMatchObject([{ note: 'changed', share: 1 }]);
  });
});
