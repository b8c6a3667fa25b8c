-- The 3rd Party API's recharges (issue 15 item 4): each partner's recharge limits per unit,
-- and what its recharges have credited per UTC day (a counter updated under the partner's
-- float lock, just before COMMIT, so the per-day limit holds under concurrency).
CREATE TABLE partner_recharge_limits (
  partner_id text NOT NULL REFERENCES partners (id),
  unit_code text NOT NULL REFERENCES units (code),
  per_operation bigint CHECK (per_operation > 0),
  per_day bigint CHECK (per_day > 0),
  per_card_per_day bigint CHECK (per_card_per_day > 0),
  PRIMARY KEY (partner_id, unit_code)
);

CREATE TABLE partner_recharge_days (
  partner_id text NOT NULL REFERENCES partners (id),
  unit_code text NOT NULL REFERENCES units (code),
  day date NOT NULL,
  total bigint NOT NULL CHECK (total > 0),
  count integer NOT NULL CHECK (count > 0),
  PRIMARY KEY (partner_id, unit_code, day)
);

-- A partner's own operations, by time of writing (reconciliation lists and daily statements).
CREATE INDEX ledger_operations_partner ON ledger_operations (partner_id, seq) WHERE partner_id IS NOT NULL;
-- One partner's recharges of one card in a day (the per-card limit).
CREATE INDEX ledger_operations_recharges_by_card ON ledger_operations (credit_account_id, created_at) WHERE type = 'recharge';
