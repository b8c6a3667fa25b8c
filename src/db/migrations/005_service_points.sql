-- Service points (each with an E-service card), fuel-ticket values, and cards of two kinds:
-- member cards (client, profile, holder, expiry) and E-service cards (service point only).
CREATE TABLE service_points (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  address text NOT NULL,
  network_id text NOT NULL REFERENCES networks (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_points_network_idx ON service_points (network_id, seq);

CREATE TABLE fuel_tickets (
  seq bigserial UNIQUE,
  code text PRIMARY KEY,
  label text NOT NULL,
  value bigint NOT NULL CHECK (value > 0),
  unit_code text NOT NULL REFERENCES units (code),
  energy_type_codes text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE cards
  ADD COLUMN kind text NOT NULL DEFAULT 'member' CHECK (kind IN ('member', 'eservice')),
  ADD COLUMN service_point_id text UNIQUE REFERENCES service_points (id),
  ALTER COLUMN client_id DROP NOT NULL,
  ALTER COLUMN profile_id DROP NOT NULL,
  ALTER COLUMN holder_name DROP NOT NULL,
  ALTER COLUMN holder_phone DROP NOT NULL,
  ALTER COLUMN expires_at DROP NOT NULL,
  ADD CONSTRAINT cards_kind_owner CHECK (
    (kind = 'member' AND client_id IS NOT NULL AND profile_id IS NOT NULL AND holder_name IS NOT NULL
       AND holder_phone IS NOT NULL AND expires_at IS NOT NULL AND service_point_id IS NULL)
    OR (kind = 'eservice' AND service_point_id IS NOT NULL AND client_id IS NULL AND profile_id IS NULL
       AND holder_name IS NULL AND holder_phone IS NULL AND expires_at IS NULL));
