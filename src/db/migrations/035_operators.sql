-- Back-office operators: people, authenticated by an OpenID Connect provider (OIDC_ISSUER_URL),
-- known here by the provider's issuer and subject. Rights per action are granted to roles, and
-- roles to operators, each grant over a scope of authority: the whole issuer, one network, one
-- client company or one service point.
CREATE TABLE operators (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  issuer text NOT NULL,
  subject text NOT NULL,
  display_name text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (issuer, subject)
);

CREATE TABLE operator_roles (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  rights text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- scope_id names the network, client or service point; null for the issuer.
CREATE TABLE operator_role_grants (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  operator_id text NOT NULL REFERENCES operators (id),
  role_id text NOT NULL REFERENCES operator_roles (id),
  scope_kind text NOT NULL CHECK (scope_kind IN ('issuer', 'network', 'client', 'service-point')),
  scope_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((scope_kind = 'issuer') = (scope_id IS NULL))
);
CREATE UNIQUE INDEX operator_role_grants_unique ON operator_role_grants (operator_id, role_id, scope_kind, COALESCE(scope_id, ''));
CREATE INDEX operator_role_grants_role ON operator_role_grants (role_id);

-- The audit trail says what kind of actor made each change, and for an operator the subject
-- its provider knows it by (beside its id and display name). Before operators every actor
-- with an id was a partner.
ALTER TABLE audit_events ADD COLUMN actor_kind text;
ALTER TABLE audit_events ADD COLUMN actor_subject text;
UPDATE audit_events SET actor_kind = CASE WHEN actor_id IS NULL THEN 'system' ELSE 'partner' END;
ALTER TABLE audit_events ALTER COLUMN actor_kind SET NOT NULL;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_kind CHECK (actor_kind IN ('partner', 'operator', 'system'));
