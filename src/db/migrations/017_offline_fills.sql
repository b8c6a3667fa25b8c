-- Offline fills (issue 14 item 7): payments a station terminal accepted offline and uploaded
-- later, each keyed by the terminal's own transaction id, booked even below a zero balance.
ALTER TABLE ledger_operations ADD COLUMN terminal_id text;
ALTER TABLE ledger_operations ADD COLUMN terminal_transaction_id text;
ALTER TABLE ledger_operations ADD COLUMN occurred_at timestamptz;
ALTER TABLE ledger_operations ADD CHECK ((terminal_transaction_id IS NULL) = (terminal_id IS NULL) AND (terminal_transaction_id IS NULL) = (occurred_at IS NULL));
ALTER TABLE ledger_operations ADD CHECK (terminal_transaction_id IS NULL OR type = 'payment');
CREATE UNIQUE INDEX ledger_operations_offline_fill ON ledger_operations (service_point_id, terminal_id, terminal_transaction_id) WHERE terminal_transaction_id IS NOT NULL;
CREATE INDEX ledger_operations_offline_by_time ON ledger_operations (debit_account_id, occurred_at) WHERE terminal_transaction_id IS NOT NULL;

-- A bounded account may now go below zero, by an offline fill only: the ledger check says so
-- (src/domain/ledger/invariants.ts); the row's own bound goes.
DO $$
DECLARE bound text;
BEGIN
  SELECT conname INTO bound FROM pg_constraint
   WHERE conrelid = 'ledger_accounts'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%posted - held%';
  EXECUTE format('ALTER TABLE ledger_accounts DROP CONSTRAINT %I', bound);
END $$;
