/**
 * The ledger's invariants, as SQL anyone can run (`npm run cli -- ledger check`; every money
 * test runs it afterwards). Each check returns the rows that break it: none when the ledger
 * is sound.
 */
import { amountBounds } from '../../../generated/operations';
import type { Queryable } from '../../db/database';
import type { Actor } from '../actor';

interface Invariant {
  name: string;
  sql: string;
}

const INVARIANTS: readonly Invariant[] = [
  {
    name: 'every operation has two entries, in its unit, summing to zero',
    sql: `SELECT o.id AS subject, count(e.seq)::text || ' entries, sum ' || COALESCE(sum(e.amount), 0)::text AS problem
            FROM ledger_operations o LEFT JOIN ledger_entries e ON e.operation_id = o.id
           GROUP BY o.id, o.unit_code
          HAVING count(e.seq) <> 2 OR COALESCE(sum(e.amount), 0) <> 0 OR bool_or(e.unit_code <> o.unit_code)
              OR NOT bool_or(e.account_id = o.debit_account_id AND e.amount = -o.amount)
              OR NOT bool_or(e.account_id = o.credit_account_id AND e.amount = o.amount)`,
  },
  {
    name: 'every entry is in its account’s unit',
    sql: `SELECT e.seq::text AS subject, e.unit_code || ' entry on a ' || a.unit_code || ' account' AS problem
            FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE e.unit_code <> a.unit_code`,
  },
  {
    name: 'every stored balance and version equals what its entries say',
    sql: `SELECT a.id AS subject, 'posted ' || a.posted::text || ', entries ' || COALESCE(t.total, 0)::text || '; version ' || a.version::text || ', entries ' || COALESCE(t.n, 0)::text AS problem
            FROM ledger_accounts a
            LEFT JOIN (SELECT account_id, sum(amount) AS total, count(*) AS n FROM ledger_entries GROUP BY account_id) t ON t.account_id = a.id
           WHERE a.stored_balance AND (a.posted <> COALESCE(t.total, 0) OR a.version <> COALESCE(t.n, 0))`,
  },
  {
    name: 'every entry of an account that keeps its balance records the running balance and version after it',
    sql: `SELECT account_id || ' v' || version_after::text AS subject, 'recorded ' || balance_after::text || ', running ' || running::text AS problem
            FROM (SELECT e.account_id, e.balance_after, e.version_after,
                         sum(e.amount) OVER w AS running, row_number() OVER w AS n
                    FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
                   WHERE a.stored_balance
                  WINDOW w AS (PARTITION BY e.account_id ORDER BY e.version_after)) x
           WHERE balance_after IS DISTINCT FROM running OR version_after IS DISTINCT FROM n`,
  },
  {
    name: 'accounts whose balance is summed (system accounts, E-service cards) keep none on their row and their entries record none',
    sql: `SELECT a.id AS subject, 'posted ' || a.posted::text || ', held ' || a.held::text AS problem
            FROM ledger_accounts a WHERE NOT a.stored_balance AND (a.posted <> 0 OR a.held <> 0 OR a.version <> 0
              OR EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = a.id AND e.balance_after IS NOT NULL))`,
  },
  {
    name: 'no bounded account is below zero (posted minus held) but after an offline fill',
    sql: `SELECT a.id AS subject, 'available ' || (b.posted - a.held)::text AS problem
            FROM ledger_accounts a
            CROSS JOIN LATERAL (SELECT CASE WHEN a.stored_balance THEN a.posted ELSE (SELECT COALESCE(sum(e.amount), 0) FROM ledger_entries e WHERE e.account_id = a.id) END AS posted) b
           WHERE a.non_negative AND b.posted - a.held < 0
             AND NOT EXISTS (SELECT 1 FROM ledger_operations o WHERE o.debit_account_id = a.id AND o.terminal_transaction_id IS NOT NULL)`,
  },
  {
    // Posting refuses to pass these bounds (4110): a balance beyond them could not be shown, and every read of its account would fail.
    name: `every balance is one an amount can show (${amountBounds.minimum} to ${amountBounds.maximum})`,
    sql: `SELECT a.id AS subject, 'posted ' || b.posted::text AS problem
            FROM ledger_accounts a
            CROSS JOIN LATERAL (SELECT CASE WHEN a.stored_balance THEN a.posted ELSE (SELECT COALESCE(sum(e.amount), 0) FROM ledger_entries e WHERE e.account_id = a.id) END AS posted) b
           WHERE b.posted NOT BETWEEN ${amountBounds.minimum} AND ${amountBounds.maximum}`,
  },
  {
    name: 'only an offline fill debits an account that keeps its balance below zero',
    sql: `SELECT e.account_id || ' v' || e.version_after::text AS subject, o.type || ' ' || o.id || ' left ' || e.balance_after::text AS problem
            FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id JOIN ledger_operations o ON o.id = e.operation_id
           WHERE a.non_negative AND a.stored_balance AND e.amount < 0 AND e.balance_after < 0 AND o.terminal_transaction_id IS NULL`,
  },
  {
    name: 'every account holds exactly its open holds',
    sql: `SELECT a.id AS subject, 'held ' || a.held::text || ', open holds ' || COALESCE(h.total, 0)::text AS problem
            FROM ledger_accounts a LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_holds WHERE status = 'open' GROUP BY account_id) h ON h.account_id = a.id
           WHERE a.held <> COALESCE(h.total, 0)`,
  },
  {
    name: 'every captured hold has its payment, of at most the hold, on the held card',
    sql: `SELECT h.id AS subject, 'payment ' || COALESCE(o.id, '-') AS problem
            FROM ledger_holds h LEFT JOIN ledger_operations o ON o.id = h.payment_id
           WHERE h.status = 'captured' AND (o.id IS NULL OR o.type <> 'payment' OR o.debit_account_id <> h.account_id OR o.amount <> h.captured_amount OR o.amount > h.amount)`,
  },
  {
    name: 'every cancelled operation is reversed by exactly one cancellation, of the same amount',
    sql: `SELECT o.id AS subject, 'status ' || o.status || ', cancelled by ' || COALESCE(o.cancelled_by_operation_id, '-') AS problem
            FROM ledger_operations o LEFT JOIN ledger_operations c ON c.cancels_operation_id = o.id
           WHERE (o.status = 'cancelled') <> (c.id IS NOT NULL)
              OR (c.id IS NOT NULL AND (c.id <> o.cancelled_by_operation_id OR c.amount <> o.amount OR c.unit_code <> o.unit_code
                  OR c.debit_account_id <> o.credit_account_id OR c.credit_account_id <> o.debit_account_id))`,
  },
];

export interface InvariantResult {
  name: string;
  violations: { subject: string; problem: string }[];
}

/** Runs every invariant (at most 20 violations each) on one snapshot; read-only. */
export async function checkLedger(db: Queryable, _actor: Actor): Promise<InvariantResult[]> {
  return db.transaction(
    async (tx) => {
      const results: InvariantResult[] = [];
      for (const invariant of INVARIANTS) {
        const violations = await tx.query<{ subject: string; problem: string }>(`SELECT * FROM (${invariant.sql}) v LIMIT 20`);
        results.push({ name: invariant.name, violations });
      }
      return results;
    },
    { isolation: 'repeatable read' },
  );
}
