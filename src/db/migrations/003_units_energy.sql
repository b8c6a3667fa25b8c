-- Units (what balances are held in), energy types and their dated prices. Prices are
-- integers in XOF per litre and are never updated or deleted.
CREATE TABLE energy_types (
  seq bigserial UNIQUE,
  code text PRIMARY KEY,
  label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE units (
  seq bigserial UNIQUE,
  code text PRIMARY KEY,
  label text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('money', 'volume')),
  scale smallint NOT NULL CHECK (scale BETWEEN 0 AND 6),
  energy_type_code text REFERENCES energy_types (code),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'money') = (energy_type_code IS NULL))
);

INSERT INTO units (code, label, kind, scale) VALUES ('XOF', 'Franc CFA (BCEAO)', 'money', 0);

CREATE TABLE energy_prices (
  seq bigserial UNIQUE,
  energy_type_code text NOT NULL REFERENCES energy_types (code),
  effective_at timestamptz NOT NULL,
  price_incl_tax bigint NOT NULL CHECK (price_incl_tax > 0),
  price_excl_vat bigint NOT NULL,
  price_excl_tax_and_customs bigint NOT NULL,
  price_excl_all_taxes bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (energy_type_code, effective_at),
  CHECK (price_incl_tax >= price_excl_vat AND price_excl_vat >= price_excl_tax_and_customs
         AND price_excl_tax_and_customs >= price_excl_all_taxes AND price_excl_all_taxes > 0)
);
