-- Driver codes (issue 12 item 12): a card's driver code is locked after its profile's number
-- of wrong codes in a row (counted on the card, started again by a right code or a new code),
-- and a profile may require the code at the pump. The lock is a security event naming the card.
ALTER TABLE card_profiles
  ADD COLUMN driver_code_required boolean NOT NULL DEFAULT false,
  ADD COLUMN driver_code_max_failures integer NOT NULL DEFAULT 5 CHECK (driver_code_max_failures BETWEEN 1 AND 20);
ALTER TABLE cards ADD COLUMN driver_code_failures integer NOT NULL DEFAULT 0 CHECK (driver_code_failures >= 0);
ALTER TABLE security_events ADD COLUMN card_id text;
