-- Several secrets per partner, so that a secret can be rotated with an overlap: each secret
-- works until its expires_at (null: the current one). Partners get a seq for cursor pages.
CREATE TABLE partner_credentials (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  partner_id text NOT NULL REFERENCES partners (id),
  secret_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz
);
CREATE INDEX partner_credentials_partner_idx ON partner_credentials (partner_id);

INSERT INTO partner_credentials (id, partner_id, secret_hash, created_at)
  SELECT 'sec_' || substr(md5(id), 1, 24), id, secret_hash, created_at FROM partners;

ALTER TABLE partners DROP COLUMN secret_hash;
ALTER TABLE partners ADD COLUMN seq bigserial UNIQUE;
