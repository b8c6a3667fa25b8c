-- Which environment this database belongs to: live (real money) or sandbox (practice). One row,
-- written once by the first server that starts on the database (CYNOD_MODE) and never changed:
-- a server of the other mode refuses to start on it, so a sandbox never runs on live data and
-- live never on practice data. A database that already holds partners when this migration runs
-- is live (it existed before sandboxes did). Consumer-keys made here carry the mode's prefix
-- (ck_live_ or ck_test_).
CREATE TABLE deployment (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  mode text NOT NULL CHECK (mode IN ('live', 'sandbox')),
  claimed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO deployment (mode) SELECT 'live' WHERE EXISTS (SELECT 1 FROM partners);
