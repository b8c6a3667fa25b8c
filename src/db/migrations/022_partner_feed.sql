-- The 3rd Party API's events feed and card history (issue 15 items 8 and 2).
-- A partner's feed reads the events of its contracted clients' cards after a cursor: by card,
-- in seq order, so it never scans the events of other cards.
CREATE INDEX events_card_idx ON events (card_id, seq) WHERE card_id IS NOT NULL;
-- ... and the events of its own operations (the operations that name it, then their events).
CREATE INDEX events_operation_idx ON events (resource_id) WHERE resource_type = 'operation';
CREATE INDEX ledger_operations_partner_idx ON ledger_operations (partner_id, seq) WHERE partner_id IS NOT NULL;
