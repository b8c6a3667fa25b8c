-- Payouts: the issuer records in the ledger what it pays out of the closed loop. A card refund
-- (what a cancelled card held, moved to the `card-refunds` account) is paid to the card's
-- client once, in full: a `payout` operation debits `card-refunds` and credits the issuer's
-- float (the value leaves circulation), naming the card refund it settles
-- (`settles_operation_id`) and the payment's external reference. A payout cancelled (reversed)
-- leaves its card refund to be paid again.
ALTER TABLE ledger_operations DROP CONSTRAINT ledger_operations_type;
ALTER TABLE ledger_operations ADD CONSTRAINT ledger_operations_type
  CHECK (type IN ('float-funding', 'recharge', 'transfer', 'full-transfer', 'payment', 'eservice-recharge', 'fee', 'regularisation', 'cancellation', 'card-refund', 'payout'));

ALTER TABLE ledger_operations ADD COLUMN settles_operation_id text REFERENCES ledger_operations (id);
ALTER TABLE ledger_operations ADD CONSTRAINT ledger_operations_settles_payout CHECK ((settles_operation_id IS NULL) = (type <> 'payout'));
CREATE UNIQUE INDEX ledger_operations_settles ON ledger_operations (settles_operation_id) WHERE status = 'completed';
