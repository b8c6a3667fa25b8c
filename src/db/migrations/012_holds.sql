-- Pay-at-pump authorisations: a hold on a card account's available balance (ledger_accounts.held
-- is the sum of its open holds), captured as a payment, voided, or expired by the sweep.
CREATE TABLE ledger_holds (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('open', 'captured', 'voided', 'expired')),
  account_id text NOT NULL REFERENCES ledger_accounts (id),
  card_id text NOT NULL REFERENCES cards (id),
  service_point_id text NOT NULL REFERENCES service_points (id),
  unit_code text NOT NULL REFERENCES units (code),
  amount bigint NOT NULL CHECK (amount > 0),
  service text NOT NULL,
  pump_number integer,
  expires_at timestamptz NOT NULL,
  captured_amount bigint CHECK (captured_amount > 0 AND captured_amount <= amount),
  payment_id text REFERENCES ledger_operations (id),
  actor_kind text NOT NULL,
  actor_id text,
  actor_name text NOT NULL,
  channel text NOT NULL,
  request_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'captured') = (payment_id IS NOT NULL AND captured_amount IS NOT NULL))
);
CREATE INDEX ledger_holds_open_idx ON ledger_holds (expires_at) WHERE status = 'open';
CREATE INDEX ledger_holds_account_idx ON ledger_holds (account_id) WHERE status = 'open';
