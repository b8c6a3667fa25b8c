-- The 3rd Party API's events feed (issue 15 item 8) and the seed's balance enquiry (item 3).
-- An event names the partner whose own resource it is (an operation made by it or moving its
-- float), so its feed finds them without reading its operations; existing events get theirs.
ALTER TABLE events ADD COLUMN partner_id text REFERENCES partners (id);
UPDATE events e SET partner_id = o.partner_id
  FROM ledger_operations o
 WHERE e.resource_type = 'operation' AND o.id = e.resource_id AND o.partner_id IS NOT NULL;
-- A partner's feed reads, after its cursor, the events of its contracted clients' cards (card by
-- card, in seq order) and those that name it: never every event.
CREATE INDEX events_card_idx ON events (card_id, seq) WHERE card_id IS NOT NULL;
CREATE INDEX events_partner_idx ON events (partner_id, seq) WHERE partner_id IS NOT NULL;

-- The seed's balance enquiry (issue 15 item 3), GET /get-solde-carte: deprecated, off unless
-- enabled for the partner (PATCH /core/v1/partners/{id}, audited like its other fields).
ALTER TABLE partners ADD COLUMN legacy_balance_allowed boolean NOT NULL DEFAULT false;
