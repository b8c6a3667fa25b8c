-- Networks, clients and the audit trail. `seq` orders lists and carries their cursors: new
-- rows always come last, so pages stay stable while rows arrive.
CREATE TABLE networks (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE clients (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  network_id text NOT NULL REFERENCES networks (id),
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  phone text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clients_network_idx ON clients (network_id, seq);

CREATE TABLE audit_events (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_id text,
  actor_name text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('api', 'cli', 'system')),
  action text NOT NULL,
  resource_type text NOT NULL,
  resource_id text NOT NULL,
  before jsonb,
  after jsonb,
  request_id text
);
CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id, seq);
CREATE INDEX audit_events_at_idx ON audit_events (at);
