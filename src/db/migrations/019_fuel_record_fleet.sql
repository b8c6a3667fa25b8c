-- The fuel transaction record (issue 14 item 4): a payment's vehicle (the paying card's, at
-- the time), its odometer reading and the driver code check; an authorisation keeps the
-- vehicle and the check for the payment its capture records.
ALTER TABLE ledger_operations ADD COLUMN vehicle_id text REFERENCES vehicles (id);
ALTER TABLE ledger_operations ADD COLUMN odometer_km bigint CHECK (odometer_km >= 0);
ALTER TABLE ledger_operations ADD COLUMN driver_check text CHECK (driver_check IN ('matched', 'not-given', 'no-driver'));
-- Payments made before drivers existed were made with no driver.
UPDATE ledger_operations SET driver_check = 'no-driver' WHERE type = 'payment';
ALTER TABLE ledger_operations ADD CHECK ((driver_check IS NOT NULL) = (type = 'payment'));
CREATE INDEX ledger_operations_vehicle_fills ON ledger_operations (vehicle_id, created_at) WHERE vehicle_id IS NOT NULL;

ALTER TABLE ledger_holds ADD COLUMN vehicle_id text REFERENCES vehicles (id);
ALTER TABLE ledger_holds ADD COLUMN driver_check text NOT NULL DEFAULT 'no-driver' CHECK (driver_check IN ('matched', 'not-given', 'no-driver'));
