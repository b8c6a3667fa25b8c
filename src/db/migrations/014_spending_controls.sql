-- Spending controls (issue 14): a card profile's defaults and a card's overrides, each level
-- one document of rules (amount, volume, transactions, products, locations, schedule) as the
-- contract's SpendingControls shape; a card's rule of a kind replaces its profile's as a whole.
-- A profile's controls go with it when it is deleted (only a profile no card uses can be).
CREATE TABLE card_profile_controls (
  profile_id text PRIMARY KEY REFERENCES card_profiles (id) ON DELETE CASCADE,
  rules jsonb NOT NULL CHECK (jsonb_typeof(rules) = 'object'),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE card_controls (
  card_id text PRIMARY KEY REFERENCES cards (id),
  rules jsonb NOT NULL CHECK (jsonb_typeof(rules) = 'object'),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Allowed days and hours are local time at the service point where a card is used.
ALTER TABLE service_points ADD COLUMN time_zone text NOT NULL DEFAULT 'Africa/Abidjan';
