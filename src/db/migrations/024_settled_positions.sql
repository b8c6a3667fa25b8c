-- Settled positions (issue 25 item 1). A seq is taken at INSERT, and transactions commit out of
-- that order: a reader that had moved past seq 12 (committed) never saw seq 11 (committed
-- later). The lists of what happens (the events feed, operations, declines, exceptions, card
-- transitions, the audit trail, security events) now order by (xact, seq), where xact is the
-- inserting transaction's id, and serve only rows of transactions below the settled horizon
-- (pagination.ts SETTLED_HORIZON): every transaction that can still commit a row has an id at
-- or above it, so no row ever lands before a position already served.
-- Rows written before this migration keep xact 0: they are settled, in their seq order, and a
-- cursor given before (a bare seq) names the same position (0, seq).
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['events', 'ledger_operations', 'card_declines', 'card_exceptions', 'card_transitions', 'audit_events', 'security_events'] LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN xact bigint NOT NULL DEFAULT 0', t);
    EXECUTE format('ALTER TABLE %I ALTER COLUMN xact SET DEFAULT pg_current_xact_id()::text::bigint', t);
    EXECUTE format('CREATE INDEX %I ON %I (xact, seq)', t || '_position_idx', t);
  END LOOP;
END $$;

DROP INDEX events_card_idx;
CREATE INDEX events_card_idx ON events (card_id, xact, seq) WHERE card_id IS NOT NULL;
DROP INDEX events_partner_idx;
CREATE INDEX events_partner_idx ON events (partner_id, xact, seq) WHERE partner_id IS NOT NULL;
DROP INDEX ledger_operations_partner;
CREATE INDEX ledger_operations_partner ON ledger_operations (partner_id, xact, seq) WHERE partner_id IS NOT NULL;
DROP INDEX card_declines_client_idx;
CREATE INDEX card_declines_client_idx ON card_declines (client_id, xact, seq);
DROP INDEX card_declines_card_idx;
CREATE INDEX card_declines_card_idx ON card_declines (card_id, xact, seq);
DROP INDEX card_exceptions_client_idx;
CREATE INDEX card_exceptions_client_idx ON card_exceptions (client_id, xact, seq);
DROP INDEX card_exceptions_card_idx;
CREATE INDEX card_exceptions_card_idx ON card_exceptions (card_id, xact, seq);
DROP INDEX card_transitions_card_idx;
CREATE INDEX card_transitions_card_idx ON card_transitions (card_id, xact, seq);
DROP INDEX audit_events_resource_idx;
CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id, xact, seq);
DROP INDEX security_events_partner_idx;
CREATE INDEX security_events_partner_idx ON security_events (partner_id, xact, seq);
DROP INDEX security_events_address_idx;
CREATE INDEX security_events_address_idx ON security_events (address, xact, seq);
