-- Money rules that stranded value or hid a link (issue 27 items 6 and 8).
--
-- A card cancelled while it holds value has its balance moved first, to another card of its
-- client (a full transfer) or to the issuer's card refunds account (kind `card-refunds`, one
-- per unit, unbounded like the other system accounts, its balance the sum of its entries):
-- what the issuer owes the clients of cancelled cards, until it settles with them. The move
-- to it is an operation of type `card-refund`.
--
-- A regularisation may name the operation it corrects (`corrects_operation_id`): shown on the
-- regularisation, in card statements and in the partners' card history.
DO $$
DECLARE rule text;
BEGIN
  SELECT conname INTO rule FROM pg_constraint
   WHERE conrelid = 'ledger_accounts'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%''adjustments''%';
  EXECUTE format('ALTER TABLE ledger_accounts DROP CONSTRAINT %I', rule);
  SELECT conname INTO rule FROM pg_constraint
   WHERE conrelid = 'ledger_operations'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%''float-funding''%';
  EXECUTE format('ALTER TABLE ledger_operations DROP CONSTRAINT %I', rule);
END $$;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_kind
  CHECK (kind IN ('card', 'issuer-float', 'partner-float', 'fee-revenue', 'adjustments', 'card-refunds'));
ALTER TABLE ledger_operations ADD CONSTRAINT ledger_operations_type
  CHECK (type IN ('float-funding', 'recharge', 'transfer', 'full-transfer', 'payment', 'eservice-recharge', 'fee', 'regularisation', 'cancellation', 'card-refund'));

ALTER TABLE ledger_operations ADD COLUMN corrects_operation_id text REFERENCES ledger_operations (id);
ALTER TABLE ledger_operations ADD CONSTRAINT ledger_operations_corrects_regularisation CHECK (corrects_operation_id IS NULL OR type = 'regularisation');
CREATE INDEX ledger_operations_corrects ON ledger_operations (corrects_operation_id) WHERE corrects_operation_id IS NOT NULL;
