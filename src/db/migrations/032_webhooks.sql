-- Signed webhooks. A partner's endpoints (a handful each), each with its own position in the
-- partner's events feed (a settled position: the dispatcher reads the feed after it, as a
-- partner's pull would, and queues one delivery per event); its signing secrets (encrypted with
-- the card vault's key: they must be recoverable to sign), the previous one signing too until
-- the end of a rotation's overlap; its health (consecutive failures, an open circuit, since when
-- it fails). Deliveries are claimed with FOR UPDATE SKIP LOCKED under a lease: a dispatcher that
-- dies mid-delivery leaves a lease that runs out, and the attempt runs again. Every attempt is
-- logged with its status, latency and the first bytes of the answer.
CREATE TABLE webhook_endpoints (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  partner_id text NOT NULL REFERENCES partners (id),
  url text NOT NULL CHECK (length(url) <= 2048),
  description text CHECK (length(description) <= 500),
  event_types text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
  disabled_reason text CHECK (disabled_reason IN ('partner', 'issuer', 'gone', 'failing')),
  secret_sealed text NOT NULL,
  previous_secret_sealed text,
  previous_secret_expires_at timestamptz,
  feed_xact bigint NOT NULL,
  feed_seq bigint NOT NULL,
  consecutive_failures integer NOT NULL DEFAULT 0,
  failing_since timestamptz,
  circuit_open_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_partner_idx ON webhook_endpoints (partner_id, seq);

CREATE TABLE webhook_deliveries (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  endpoint_id text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id text NOT NULL,
  event_type text NOT NULL,
  payload text NOT NULL,
  redelivery boolean NOT NULL DEFAULT false,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
-- The feed queues an event once per endpoint; a redelivery on demand is a delivery of its own.
CREATE UNIQUE INDEX webhook_deliveries_feed_once ON webhook_deliveries (endpoint_id, event_id) WHERE NOT redelivery;
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (endpoint_id, next_attempt_at, seq) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
  seq bigserial PRIMARY KEY,
  delivery_id text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  endpoint_id text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id text NOT NULL,
  attempt integer NOT NULL,
  attempted_at timestamptz NOT NULL,
  status_code integer,
  error text,
  latency_ms integer NOT NULL,
  response_excerpt text,
  outcome text NOT NULL CHECK (outcome IN ('succeeded', 'retrying', 'failed', 'gone'))
);
CREATE INDEX webhook_attempts_endpoint_idx ON webhook_attempts (endpoint_id, seq);
