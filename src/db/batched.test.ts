import type { Queryable } from './database';
import { batchedStatement, MAX_BATCH, perTurn } from './batched';

/** A database answering a batched statement over (id, partner) pairs: each id's letters, one row per letter, for its partner's own ids only. */
function fakeDatabase() {
  const sent: { sql: string; params: unknown[][]; prepare: boolean }[] = [];
  const db: Queryable & { sent: typeof sent; failWith: Error | null } = {
    sent,
    failWith: null,
    async query<Row>(sql: string, params: unknown[] = [], options: { prepare?: boolean } = {}) {
      const arrays = params as string[][];
      sent.push({ sql, params: arrays, prepare: options.prepare === true });
      if (db.failWith) throw db.failWith;
      const [ids, partners] = arrays;
      // Answered out of order, as a database may: routing goes by `ord`, never by position.
      return ids
        .flatMap((id, index) =>
          id.startsWith(partners[index]) ? [...id.slice(partners[index].length)].map((letter) => ({ ord: String(index + 1), id, letter })) : [],
        )
        .reverse() as Row[];
    },
    async exec() {},
    transaction: (work) => work(db),
    beforeCommit: () => {
      throw new Error('not a transaction');
    },
  };
  return db;
}

const SQL = 'SELECT batch.ord, ... FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS batch (id, partner, ord)';

describe('batchedStatement', () => {
  it('when several calls are made in one turn, then one prepared statement answers each call with its own rows', async () => {
    const db = fakeDatabase();
    const read = batchedStatement<[id: string, partner: string], { ord: string; id: string; letter: string }>(SQL);

    const [a, b, outsideReach, none] = await Promise.all([read(db, ['p1ab', 'p1']), read(db, ['p2c', 'p2']), read(db, ['p1ab', 'p2']), read(db, ['p1', 'p1'])]);

    expect(db.sent).toEqual([
      {
        sql: SQL,
        params: [
          ['p1ab', 'p2c', 'p1ab', 'p1'],
          ['p1', 'p2', 'p2', 'p1'],
        ],
        prepare: true,
      },
    ]);
    expect(a.map((row) => row.letter)).toEqual(['b', 'a']); // in the order the statement returned them
    expect(b.map((row) => [row.id, row.letter])).toEqual([['p2c', 'c']]);
    expect(outsideReach).toEqual([]);
    expect(none).toEqual([]);
  });

  it('when calls of one turn have the same parameters, then they are sent once and each gets the rows', async () => {
    const db = fakeDatabase();
    const read = batchedStatement<[id: string, partner: string], { ord: string; letter: string }>(SQL);

    const [first, second, other] = await Promise.all([read(db, ['p1x', 'p1']), read(db, ['p1x', 'p1']), read(db, ['p1y', 'p1'])]);

    expect(db.sent[0].params).toEqual([
      ['p1x', 'p1y'],
      ['p1', 'p1'],
    ]);
    expect([first, second, other].map((rows) => rows.map((row) => row.letter))).toEqual([['x'], ['x'], ['y']]);
  });

  it('when calls are made in two turns, then each turn sends its own statement, after its calls (nothing is kept between them)', async () => {
    const db = fakeDatabase();
    const read = batchedStatement<[id: string, partner: string], { ord: string; letter: string }>(SQL);

    await read(db, ['p1a', 'p1']);
    await read(db, ['p1a', 'p1']);

    expect(db.sent).toHaveLength(2);
  });

  it('when the statement fails, then every call of the batch fails with its error', async () => {
    const db = fakeDatabase();
    db.failWith = new Error('connection lost');
    const read = batchedStatement<[id: string, partner: string], { ord: string }>(SQL);

    const results = await Promise.allSettled([read(db, ['p1a', 'p1']), read(db, ['p2b', 'p2']), read(db, ['p1a', 'p1'])]);

    expect(results).toEqual([0, 1, 2].map(() => ({ status: 'rejected', reason: new Error('connection lost') })));
  });

  it('when a row names no call of the batch, then every call fails rather than one getting the wrong rows', async () => {
    const db = fakeDatabase();
    db.query = async <Row>() => [{ ord: '3' }] as Row[];
    const read = batchedStatement<[id: string, partner: string], { ord: string }>(SQL);

    const results = await Promise.allSettled([read(db, ['p1a', 'p1']), read(db, ['p2b', 'p2'])]);

    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });

  it('when more calls than a batch holds are made in one turn, then they are split over several statements', async () => {
    const db = fakeDatabase();
    const read = batchedStatement<[id: string, partner: string], { ord: string; id: string }>(SQL);

    const answers = await Promise.all(Array.from({ length: 2 * MAX_BATCH + 50 }, (_, index) => read(db, [`p${index}z`, `p${index}`])));

    expect(db.sent.map((statement) => statement.params[0].length)).toEqual([MAX_BATCH, MAX_BATCH, 50]);
    expect(answers.every((rows, index) => rows.length === 1 && rows[0].id === `p${index}z`)).toBe(true);
  });

  it('when two database handles are used in one turn, then each gets its own statement', async () => {
    const [one, two] = [fakeDatabase(), fakeDatabase()];
    const read = batchedStatement<[id: string, partner: string], { ord: string }>(SQL);

    await Promise.all([read(one, ['p1a', 'p1']), read(two, ['p2a', 'p2']), read(one, ['p3a', 'p3'])]);

    expect([one.sent.map((statement) => statement.params[0]), two.sent.map((statement) => statement.params[0])]).toEqual([[['p1a', 'p3a']], [['p2a']]]);
  });
});

describe('perTurn', () => {
  it('when a batch is capped, then each batch holds at most that many calls, in the order made, and each call gets its own result', async () => {
    const batches: number[][] = [];
    const double = perTurn<number, number>(async (inputs) => {
      batches.push(inputs);
      return inputs.map((input) => input * 2);
    }, 3);

    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(double));

    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(results).toEqual([2, 4, 6, 8, 10, 12, 14]);
  });

  it('when the sender throws at once or returns too few results, then every call of the batch fails', async () => {
    const throwing = perTurn<number, number>(() => {
      throw new Error('bad batch');
    });
    const short = perTurn<number, number>(async (inputs) => inputs.slice(1));

    const thrown = await Promise.allSettled([throwing(1), throwing(2)]);
    const shorted = await Promise.allSettled([short(1), short(2)]);

    expect(thrown).toEqual([0, 1].map(() => ({ status: 'rejected', reason: new Error('bad batch') })));
    expect(shorted.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});
