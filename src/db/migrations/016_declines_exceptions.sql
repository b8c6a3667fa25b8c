-- Spending controls at payment time (issue 14): declined attempts kept with their reason, and
-- exceptions (soft-rule breaches and the like) raised on approved ones, both per client.

-- A payment or authorisation of a member card refused by a business rule (4xxx): written in
-- the transaction that stores the refusal under its idempotency key, so once per attempt.
CREATE TABLE card_declines (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  card_id text NOT NULL REFERENCES cards (id),
  client_id text NOT NULL REFERENCES clients (id),
  service_point_id text REFERENCES service_points (id),
  attempt text NOT NULL CHECK (attempt IN ('payment', 'authorization')),
  code text NOT NULL,
  rule text,
  message text NOT NULL,
  unit_code text NOT NULL,
  amount bigint NOT NULL,
  service text NOT NULL,
  energy_type_code text,
  quantity_ml bigint,
  details jsonb,
  actor_kind text NOT NULL,
  actor_id text,
  actor_name text NOT NULL,
  channel text NOT NULL,
  request_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX card_declines_client_idx ON card_declines (client_id, seq);
CREATE INDEX card_declines_card_idx ON card_declines (card_id, seq);

-- What a fleet manager should look at on an approved payment or authorisation.
CREATE TABLE card_exceptions (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  card_id text NOT NULL REFERENCES cards (id),
  client_id text NOT NULL REFERENCES clients (id),
  kind text NOT NULL,
  rule text,
  operation_id text REFERENCES ledger_operations (id),
  authorization_id text REFERENCES ledger_holds (id),
  message text NOT NULL,
  details jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (operation_id IS NOT NULL OR authorization_id IS NOT NULL)
);
CREATE INDEX card_exceptions_client_idx ON card_exceptions (client_id, seq);
CREATE INDEX card_exceptions_card_idx ON card_exceptions (card_id, seq);

-- A card's spending in a period (its payments by time): the usage the limits are checked against.
CREATE INDEX ledger_operations_payments_by_time ON ledger_operations (debit_account_id, created_at) WHERE type = 'payment';
CREATE INDEX ledger_holds_card_open_idx ON ledger_holds (card_id) WHERE status = 'open';

-- A pump authorisation sized by the rules: the amount asked (`amount` is what is held), its
-- product, the litres it allows (null: no energy type named) and what set the amount. Holds
-- made before keep their amount as asked, set by the request.
ALTER TABLE ledger_holds ADD COLUMN requested_amount bigint;
UPDATE ledger_holds SET requested_amount = amount;
ALTER TABLE ledger_holds ALTER COLUMN requested_amount SET NOT NULL;
ALTER TABLE ledger_holds ADD CHECK (requested_amount >= amount);
ALTER TABLE ledger_holds ADD COLUMN limited_by text NOT NULL DEFAULT 'request'
  CHECK (limited_by IN ('request', 'balance', 'amount-limit', 'volume-limit', 'tank'));
ALTER TABLE ledger_holds ADD COLUMN energy_type_code text REFERENCES energy_types (code);
ALTER TABLE ledger_holds ADD COLUMN quantity_ml bigint CHECK (quantity_ml > 0);
