-- A service point's settlement days are found by the first entry on its E-service card's account
-- at or after an instant, and each day's lines read by the account and a time range: an index
-- on both, so neither scans the account's whole history.
CREATE INDEX ledger_entries_account_time ON ledger_entries (account_id, created_at) INCLUDE (amount);
