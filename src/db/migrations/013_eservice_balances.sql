-- E-service cards (a service point's card) are credited by every payment at their station.
-- Their accounts no longer keep their balance on their row, where every payment would queue
-- for the row's lock: like the system accounts, their balance is the sum of their entries,
-- and a credit locks nothing. They stay bounded: a debit (a payment's cancellation) locks the
-- account's row, which serialises debits, and checks the sum of the entries.
--
-- `stored_balance`: the row keeps `posted`, `held` and `version`, and each entry the balance
-- and version after it (member cards' accounts and partner floats); otherwise they are zero
-- and null, and the balance is summed.
ALTER TABLE ledger_accounts ADD COLUMN stored_balance boolean;
UPDATE ledger_accounts a SET stored_balance = a.kind = 'partner-float' OR EXISTS (SELECT 1 FROM cards c WHERE c.id = a.card_id AND c.kind = 'member');
UPDATE ledger_entries e SET balance_after = NULL, version_after = NULL FROM ledger_accounts a WHERE a.id = e.account_id AND NOT a.stored_balance;
UPDATE ledger_accounts SET posted = 0, version = 0 WHERE NOT stored_balance;
ALTER TABLE ledger_accounts ALTER COLUMN stored_balance SET NOT NULL;
ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_check4;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_summed_balance CHECK (stored_balance OR (posted = 0 AND held = 0 AND version = 0));
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_stored_balance_bounded CHECK (non_negative OR NOT stored_balance);

-- Their events carry no per-card sequence either (a counter on the card's row would queue the
-- station's payments just the same): a member card's events are numbered, an E-service card's
-- are ordered by `seq`.
ALTER TABLE events DROP CONSTRAINT events_check;
ALTER TABLE events ADD CONSTRAINT events_card_sequence_has_card CHECK (card_sequence IS NULL OR card_id IS NOT NULL);
UPDATE events e SET card_sequence = NULL FROM cards c WHERE c.id = e.card_id AND c.kind = 'eservice';
UPDATE cards SET event_sequence = 0 WHERE kind = 'eservice';
