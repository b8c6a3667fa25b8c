-- Order vouchers (bons de commande): entered, validated, executed (or rejected, cancelled),
-- each step recorded with its actor; the operations an execution records point to it.
CREATE TABLE orders (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  type text NOT NULL CHECK (type IN ('recharge', 'transfer', 'full-transfer', 'eservice-recharge')),
  status text NOT NULL CHECK (status IN ('entered', 'validated', 'executed', 'rejected', 'cancelled')),
  source_partner_id text REFERENCES partners (id),
  from_card_id text REFERENCES cards (id),
  lines jsonb NOT NULL,
  reason text,
  comment text,
  author_kind text NOT NULL,
  author_id text,
  author_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_status_idx ON orders (status, seq);

CREATE TABLE order_steps (
  seq bigserial PRIMARY KEY,
  order_id text NOT NULL REFERENCES orders (id),
  step text NOT NULL CHECK (step IN ('entered', 'validated', 'executed', 'rejected', 'cancelled')),
  actor_kind text NOT NULL,
  actor_id text,
  actor_name text NOT NULL,
  channel text NOT NULL,
  request_id text,
  comment text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_steps_order_idx ON order_steps (order_id, seq);

ALTER TABLE ledger_operations ADD COLUMN order_id text REFERENCES orders (id);
CREATE INDEX ledger_operations_order_idx ON ledger_operations (order_id, seq) WHERE order_id IS NOT NULL;
