-- Authorisations found without their id: listed in settled order like the other lists of what
-- happens (xact, the inserting transaction's id, as migration 024 gave them), filtered by
-- card, service point and placer; and a station's own reference for the pump transaction,
-- unique per service point among the holds of one placer (a station partner's references are
-- its own, as its receipt numbers are: migration 025).
ALTER TABLE ledger_holds ADD COLUMN xact bigint NOT NULL DEFAULT 0;
ALTER TABLE ledger_holds ALTER COLUMN xact SET DEFAULT pg_current_xact_id()::text::bigint;
CREATE INDEX ledger_holds_position_idx ON ledger_holds (xact, seq);
CREATE INDEX ledger_holds_card_position_idx ON ledger_holds (card_id, xact, seq);
CREATE INDEX ledger_holds_service_point_position_idx ON ledger_holds (service_point_id, xact, seq);
CREATE INDEX ledger_holds_placer_position_idx ON ledger_holds (actor_id, xact, seq) WHERE actor_kind = 'partner';

ALTER TABLE ledger_holds ADD COLUMN station_reference text CHECK (station_reference ~ '^[!-~]{1,64}$');
CREATE UNIQUE INDEX ledger_holds_station_reference ON ledger_holds (service_point_id, station_reference, COALESCE(actor_id, ''))
  WHERE station_reference IS NOT NULL;
