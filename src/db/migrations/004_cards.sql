-- Card profiles, member cards, their balances and status transitions. Card numbers are kept
-- only as a keyed hash (lookups), an AES-GCM sealed copy and a masked form.
CREATE TABLE card_profiles (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  code text NOT NULL UNIQUE,
  label text NOT NULL,
  validity_months integer NOT NULL CHECK (validity_months BETWEEN 1 AND 120),
  recharge_mode text NOT NULL CHECK (recharge_mode IN ('manual', 'periodic')),
  offline_cap_value bigint NOT NULL,
  offline_cap_unit text NOT NULL REFERENCES units (code),
  allowed_services text[] NOT NULL,
  allowed_units text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cards (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  number_hash text NOT NULL UNIQUE,
  number_sealed text NOT NULL,
  masked_number text NOT NULL,
  client_id text NOT NULL REFERENCES clients (id),
  profile_id text NOT NULL REFERENCES card_profiles (id) ON DELETE RESTRICT,
  holder_name text NOT NULL,
  holder_phone text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'suspended', 'opposed', 'cancelled')),
  status_reason text,
  expires_at timestamptz NOT NULL,
  cancelled_by_id text,
  cancelled_by_name text,
  cancellation_reason text,
  cancelled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cards_client_idx ON cards (client_id, seq);
CREATE INDEX cards_profile_idx ON cards (profile_id);
CREATE INDEX cards_holder_phone_idx ON cards (holder_phone);
CREATE INDEX cards_expires_idx ON cards (expires_at);

CREATE TABLE card_balances (
  card_id text NOT NULL REFERENCES cards (id),
  unit_code text NOT NULL REFERENCES units (code),
  value bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (card_id, unit_code)
);

CREATE TABLE card_transitions (
  seq bigserial UNIQUE,
  card_id text NOT NULL REFERENCES cards (id),
  from_status text,
  to_status text NOT NULL,
  reason text NOT NULL,
  comment text,
  actor_id text,
  actor_name text NOT NULL,
  channel text NOT NULL,
  request_id text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX card_transitions_card_idx ON card_transitions (card_id, seq);
