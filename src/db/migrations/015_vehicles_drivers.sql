-- Vehicles and drivers of a client's fleet (issue 14 item 3). A member card may be linked to a
-- vehicle and issued to a driver of its own client: besides the plain foreign keys, the pairs
-- (client_id, vehicle_id) and (client_id, driver_id) reference the vehicle's and the driver's
-- own pair, so the database itself refuses a link across clients.
CREATE TABLE vehicles (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  client_id text NOT NULL REFERENCES clients (id),
  -- Upper-case, as the domain normalises it; one per client.
  registration text NOT NULL CHECK (registration = upper(registration)),
  -- Millilitres, from 1 L to 2,000 L.
  tank_capacity_ml integer NOT NULL CHECK (tank_capacity_ml BETWEEN 1000 AND 2000000),
  energy_type_code text REFERENCES energy_types (code),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (client_id, registration),
  UNIQUE (client_id, id)
);

-- The driver code is kept only as an HMAC-SHA256 under the card-number hash key, with a
-- domain-separation prefix and the driver's id (src/domain/fleet/drivers.ts).
CREATE TABLE drivers (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  client_id text NOT NULL REFERENCES clients (id),
  name text NOT NULL,
  phone text NOT NULL,
  code_hash text NOT NULL,
  code_set_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (client_id, id)
);
CREATE INDEX vehicles_client_idx ON vehicles (client_id, seq);
CREATE INDEX drivers_client_idx ON drivers (client_id, seq);

ALTER TABLE cards
  ADD COLUMN vehicle_id text REFERENCES vehicles (id),
  ADD COLUMN driver_id text REFERENCES drivers (id),
  ADD CONSTRAINT cards_vehicle_same_client FOREIGN KEY (client_id, vehicle_id) REFERENCES vehicles (client_id, id),
  ADD CONSTRAINT cards_driver_same_client FOREIGN KEY (client_id, driver_id) REFERENCES drivers (client_id, id);
CREATE INDEX cards_vehicle_idx ON cards (vehicle_id) WHERE vehicle_id IS NOT NULL;
CREATE INDEX cards_driver_idx ON cards (driver_id) WHERE driver_id IS NOT NULL;
