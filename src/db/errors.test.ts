import { classifyDatabaseError, DatabaseUnavailableError, isDatabaseBusy, isRetryableTransactionError, isUniqueViolation } from './errors';
import { checkJoin, retryDelayMs } from './transaction';

const pgError = (code: string, message = 'error') => Object.assign(new Error(message), { code });

describe('classifyDatabaseError', () => {
  it.each([
    ['23505', 'unique_violation'],
    ['40001', 'serialization_failure'],
    ['40P01', 'deadlock'],
    ['55P03', 'lock_timeout'],
    ['08006', 'connection_lost'],
    ['57P01', 'connection_lost'],
    ['25P03', 'connection_lost'],
    ['ECONNREFUSED', 'connection_lost'],
    ['CYH01', 'horizon_moved'],
  ])('when PostgreSQL answers SQLSTATE %s, then it is a %s', (code, kind) => {
    expect(classifyDatabaseError(pgError(code))).toBe(kind);
  });

  it('when a statement is cancelled by statement_timeout, then it is a statement_timeout; any other cancel is query_canceled, retried then busy', () => {
    expect(classifyDatabaseError(pgError('57014', 'canceling statement due to statement timeout'))).toBe('statement_timeout');
    expect(classifyDatabaseError(pgError('57014', 'canceling statement due to user request'))).toBe('query_canceled');
    expect([
      isRetryableTransactionError(pgError('57014', 'canceling statement due to user request')),
      isDatabaseBusy(pgError('57014', 'canceling statement due to user request')),
    ]).toEqual([true, true]);
  });

  it('when the error is a faulty statement or not a database error, then it is unclassified', () => {
    expect(classifyDatabaseError(pgError('42P01', 'relation "x" does not exist'))).toBeUndefined();
    expect(classifyDatabaseError(new Error('boom'))).toBeUndefined();
    expect(classifyDatabaseError(undefined)).toBeUndefined();
    expect(classifyDatabaseError(new DatabaseUnavailableError(new Error('gone')))).toBe('connection_lost');
  });

  it('when asked what to retry and what is busy, then contention is retried, a statement timeout is busy but not retried', () => {
    expect(['40001', '40P01', '55P03', '57014', '23505'].map((code) => isRetryableTransactionError(pgError(code, 'statement timeout')))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(['40001', '40P01', '55P03', '57014', '23505'].map((code) => isDatabaseBusy(pgError(code, 'statement timeout')))).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('when a unique violation names a constraint, then isUniqueViolation matches it or any constraint', () => {
    const error = Object.assign(pgError('23505'), { constraint: 'units_code_key' });
    expect([isUniqueViolation(error), isUniqueViolation(error, 'units_code_key'), isUniqueViolation(error, 'other')]).toEqual([true, true, false]);
  });
});

describe('transaction policy', () => {
  it('when retries back off, then each pause is random below a doubling bound capped at one second', () => {
    expect([0, 1, 2, 3].map((attempt) => retryDelayMs(attempt, () => 0.999))).toEqual([19, 39, 79, 159]);
    expect(retryDelayMs(20, () => 0.999)).toBe(999);
    expect(retryDelayMs(3, () => 0)).toBe(0);
  });

  it('when a use-case joins an open transaction, then a weaker or equal isolation is accepted and a stronger one is refused', () => {
    expect(() => checkJoin('serializable', { isolation: 'read committed' })).not.toThrow();
    expect(() => checkJoin('repeatable read', {})).not.toThrow();
    expect(() => checkJoin('read committed', { isolation: 'serializable' })).toThrow(/serializable cannot join an open read committed/);
    expect(() => checkJoin('read committed', { isolation: 'chaos' as never })).toThrow(/unknown isolation level/);
  });
});
