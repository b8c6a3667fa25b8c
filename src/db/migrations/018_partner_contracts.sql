-- Partner contracts (issue 15): what a partner may act on through the 3rd Party API, a
-- client's member cards or a service point; at most one active contract for each.
CREATE TABLE partner_contracts (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  partner_id text NOT NULL REFERENCES partners (id),
  client_id text REFERENCES clients (id),
  service_point_id text REFERENCES service_points (id),
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  end_reason text,
  CHECK ((client_id IS NULL) <> (service_point_id IS NULL)),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE UNIQUE INDEX partner_contracts_active_client ON partner_contracts (partner_id, client_id) WHERE ended_at IS NULL AND client_id IS NOT NULL;
CREATE UNIQUE INDEX partner_contracts_active_service_point ON partner_contracts (partner_id, service_point_id) WHERE ended_at IS NULL AND service_point_id IS NOT NULL;
CREATE INDEX partner_contracts_partner ON partner_contracts (partner_id, seq);
