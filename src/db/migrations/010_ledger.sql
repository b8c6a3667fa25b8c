-- The double-entry ledger: accounts with their balance bound, operations, their entries, the
-- events written with every change, and the idempotency keys of money-moving requests.
--
-- Sign convention: an entry's amount is signed, positive when it raises the account's
-- balance; the entries of an operation sum to zero per unit. Bounded accounts (cards,
-- partner floats) keep their posted balance, held amount and version on their row and are
-- locked to change it; each of their entries records the balance and version after it.
-- Unbounded accounts (issuer float, fee revenue, adjustments) are never locked: their balance
-- is the sum of their entries, and their entries record no balance.
CREATE TABLE ledger_accounts (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('card', 'issuer-float', 'partner-float', 'fee-revenue', 'adjustments')),
  card_id text REFERENCES cards (id),
  partner_id text REFERENCES partners (id),
  unit_code text NOT NULL REFERENCES units (code),
  non_negative boolean NOT NULL,
  posted bigint NOT NULL DEFAULT 0,
  held bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
  version bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'card') = (card_id IS NOT NULL)),
  CHECK ((kind = 'partner-float') = (partner_id IS NOT NULL)),
  CHECK (non_negative = (kind IN ('card', 'partner-float'))),
  CHECK (NOT non_negative OR posted - held >= 0),
  CHECK (non_negative OR (posted = 0 AND held = 0 AND version = 0))
);
CREATE UNIQUE INDEX ledger_accounts_card_unit ON ledger_accounts (card_id, unit_code) WHERE card_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_accounts_partner_unit ON ledger_accounts (partner_id, unit_code) WHERE partner_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_accounts_system_unit ON ledger_accounts (kind, unit_code) WHERE card_id IS NULL AND partner_id IS NULL;

-- The card balances kept so far become the cards' ledger accounts (they hold zero: nothing
-- has moved value before the ledger).
INSERT INTO ledger_accounts (id, kind, card_id, unit_code, non_negative, posted)
SELECT 'acc_' || substr(md5(card_id || '/' || unit_code), 1, 24), 'card', card_id, unit_code, true, value FROM card_balances;
DROP TABLE card_balances;

CREATE TABLE ledger_operations (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  reference text GENERATED ALWAYS AS ('OP' || lpad(seq::text, 10, '0')) STORED UNIQUE,
  type text NOT NULL CHECK (type IN ('float-funding', 'recharge', 'transfer', 'full-transfer', 'payment', 'eservice-recharge', 'fee', 'regularisation', 'cancellation')),
  status text NOT NULL CHECK (status IN ('completed', 'cancelled')),
  unit_code text NOT NULL REFERENCES units (code),
  amount bigint NOT NULL CHECK (amount > 0),
  debit_account_id text NOT NULL REFERENCES ledger_accounts (id),
  credit_account_id text NOT NULL REFERENCES ledger_accounts (id),
  service_point_id text REFERENCES service_points (id),
  partner_id text REFERENCES partners (id),
  external_reference text,
  receipt_number text,
  service text,
  fuel jsonb,
  pump_number integer,
  reason text,
  comment text,
  cancels_operation_id text UNIQUE REFERENCES ledger_operations (id),
  cancelled_by_operation_id text REFERENCES ledger_operations (id),
  actor_kind text NOT NULL,
  actor_id text,
  actor_name text NOT NULL,
  channel text NOT NULL,
  request_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (debit_account_id <> credit_account_id),
  CHECK ((type = 'cancellation') = (cancels_operation_id IS NOT NULL)),
  CHECK ((status = 'cancelled') = (cancelled_by_operation_id IS NOT NULL))
);
CREATE UNIQUE INDEX ledger_operations_receipt ON ledger_operations (service_point_id, receipt_number) WHERE type = 'payment';
CREATE UNIQUE INDEX ledger_operations_external_reference ON ledger_operations (partner_id, external_reference) WHERE external_reference IS NOT NULL;
CREATE INDEX ledger_operations_debit ON ledger_operations (debit_account_id, seq);
CREATE INDEX ledger_operations_credit ON ledger_operations (credit_account_id, seq);
CREATE INDEX ledger_operations_created ON ledger_operations (created_at);

CREATE TABLE ledger_entries (
  seq bigserial PRIMARY KEY,
  operation_id text NOT NULL REFERENCES ledger_operations (id),
  account_id text NOT NULL REFERENCES ledger_accounts (id),
  unit_code text NOT NULL REFERENCES units (code),
  amount bigint NOT NULL CHECK (amount <> 0),
  balance_after bigint,
  version_after bigint,
  -- The time of the write, under the account's lock: entries of one account are in time order.
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((balance_after IS NULL) = (version_after IS NULL))
);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, seq) INCLUDE (amount);
CREATE INDEX ledger_entries_operation ON ledger_entries (operation_id);

-- Events, written in the transaction of the change they describe. Card events carry a
-- per-card sequence that only grows (cards.event_sequence, taken under the card's lock).
ALTER TABLE cards ADD COLUMN event_sequence bigint NOT NULL DEFAULT 0;
CREATE TABLE events (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  type text NOT NULL,
  resource_type text NOT NULL,
  resource_id text NOT NULL,
  card_id text REFERENCES cards (id),
  card_sequence bigint,
  data jsonb NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (card_id, card_sequence),
  CHECK ((card_id IS NULL) = (card_sequence IS NULL))
);

-- Idempotency keys of money-moving requests, per caller; the stored answer is replayed.
CREATE TABLE idempotency_keys (
  caller text NOT NULL,
  key text NOT NULL,
  operation text NOT NULL,
  fingerprint text NOT NULL,
  status smallint NOT NULL,
  answer jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
