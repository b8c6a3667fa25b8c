-- Security events of the partner channel (never a secret or a token), and the counters of
-- the rate limits and failed authentications, shared by every server instance.
CREATE TABLE security_events (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  type text NOT NULL,
  partner_id text,
  actor_id text,
  channel text NOT NULL CHECK (channel IN ('api', 'cli', 'system')),
  address text,
  request_id text,
  reason text,
  auth_method text,
  scopes text[]
);
CREATE INDEX security_events_partner_idx ON security_events (partner_id, seq);
CREATE INDEX security_events_address_idx ON security_events (address, seq);

-- One row per bucket and time window: bucket names the limit and its subject
-- (api:<partner>, token:<partner>, fail-address:<ip>, fail-key:<key>).
CREATE TABLE rate_counters (
  bucket text NOT NULL,
  window_start bigint NOT NULL,
  hits integer NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_counters_expiry_idx ON rate_counters (expires_at);
