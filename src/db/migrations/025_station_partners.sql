-- Station partners (the integrity issue, items 2-5). Several partners may be contracted for one
-- service point: an offline fill's terminal transaction id and a payment's receipt number are
-- unique per partner there (partner_id NULL: the Core API's own), so that one partner's ids never
-- find, nor refuse, another's.
DROP INDEX ledger_operations_receipt;
CREATE UNIQUE INDEX ledger_operations_receipt ON ledger_operations (service_point_id, receipt_number, COALESCE(partner_id, '')) WHERE type = 'payment';
DROP INDEX ledger_operations_offline_fill;
CREATE UNIQUE INDEX ledger_operations_offline_fill ON ledger_operations (service_point_id, terminal_id, terminal_transaction_id, COALESCE(partner_id, '')) WHERE terminal_transaction_id IS NOT NULL;

-- A service point's offline policy, set by the issuer: how old an uploaded fill may be (a
-- terminal's offline window, in days) and the ceilings per fill and per day of the service
-- point (money in a unit, litres), hard (refused) or soft (booked and flagged). Offline fills
-- are summed per service point and day of occurrence under an advisory lock.
ALTER TABLE service_points ADD COLUMN offline_policy jsonb NOT NULL
  DEFAULT '{"maxAgeDays": 7, "mode": "hard", "perFill": {"amount": null, "quantityMl": null}, "perDay": {"amount": null, "quantityMl": null}}';
CREATE INDEX ledger_operations_offline_by_station_day ON ledger_operations (service_point_id, occurred_at) WHERE terminal_transaction_id IS NOT NULL;
