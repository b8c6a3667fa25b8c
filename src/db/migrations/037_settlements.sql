-- Stations' daily settlements: what a service point's E-service card received on a calendar
-- day of its network's time zone, and its payment to the station.
--
-- A closed day never changes, its bounds included: the first reading of a closed day keeps the
-- instant its day and the next one start (`settlement_day_starts`), so that changing the
-- network's time zone later moves only days not yet read as closed, and neighbouring days
-- share their bound (no entry is on two days, or on none).
CREATE TABLE settlement_day_starts (
  service_point_id text NOT NULL REFERENCES service_points (id),
  day date NOT NULL,
  time_zone text NOT NULL,
  starts_at timestamptz NOT NULL,
  PRIMARY KEY (service_point_id, day)
);

-- A settlement paid: the `payout` operation that moved its net from the E-service card to the
-- issuer's float, once per service point, unit and day (the primary key stands behind the
-- check). A payout cancelled deletes its row: the settlement is to be paid again.
CREATE TABLE settlement_payouts (
  service_point_id text NOT NULL REFERENCES service_points (id),
  unit_code text NOT NULL REFERENCES units (code),
  day date NOT NULL,
  operation_id text NOT NULL UNIQUE REFERENCES ledger_operations (id),
  PRIMARY KEY (service_point_id, unit_code, day)
);

-- A payout now pays a card refund (naming it, `settles_operation_id`) or a station's settlement
-- (naming its service point): only a payout names a card refund it settles.
ALTER TABLE ledger_operations DROP CONSTRAINT ledger_operations_settles_payout;
ALTER TABLE ledger_operations ADD CONSTRAINT ledger_operations_settles_payout CHECK (settles_operation_id IS NULL OR type = 'payout');
