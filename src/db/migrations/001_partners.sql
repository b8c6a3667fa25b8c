-- Partners (API consumers) and their access tokens. Secrets and tokens are stored only as
-- SHA-256 hashes (hex); a database dump reveals neither.
CREATE TABLE partners (
  id text PRIMARY KEY,
  name text NOT NULL,
  consumer_key text NOT NULL UNIQUE,
  secret_hash text NOT NULL,
  scopes text[] NOT NULL,
  basic_allowed boolean NOT NULL DEFAULT false,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE access_tokens (
  token_hash text PRIMARY KEY,
  partner_id text NOT NULL REFERENCES partners (id),
  scopes text[] NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);

CREATE INDEX access_tokens_partner_idx ON access_tokens (partner_id);
