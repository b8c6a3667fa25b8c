-- Prices charged (issue 27, items 1 and 2). How far a charged unit price may stray from the
-- price in force, set by the issuer per network and overridden per service point (null: the
-- network's, then the default: soft, no deviation allowed); and clients' price agreements, a
-- discount per litre off the pump price or a negotiated price per litre, per client and energy
-- type, dated like the prices (the latest not effective after an instant is in force then).
ALTER TABLE networks ADD COLUMN price_tolerance jsonb;
ALTER TABLE service_points ADD COLUMN price_tolerance jsonb;

CREATE TABLE client_price_agreements (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  client_id text NOT NULL REFERENCES clients (id),
  energy_type_code text NOT NULL REFERENCES energy_types (code),
  kind text NOT NULL CHECK (kind IN ('discount', 'price')),
  -- XOF per litre: the discount off the pump price (0 ends a discount), or the client's price
  value bigint NOT NULL CHECK (value >= 0 AND value <= 1000000 AND (kind = 'discount' OR value > 0)),
  effective_at timestamptz NOT NULL,
  comment text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (client_id, energy_type_code, effective_at)
);
