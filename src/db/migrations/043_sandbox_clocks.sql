-- Test clocks of a sandbox (docs/sandbox.md): each move forward of the time of a client's world
-- (its member cards), made by the sandbox partner contracted for it. offset_seconds is how far the
-- world is ahead of the wall clock from moved_at on (cumulative, so it only grows); a row stamped
-- at t by the database's clock happened, in that world, at t plus the offset of the last move at
-- or before t. Empty on a live deployment, where the simulations that write it are refused.
CREATE TABLE sandbox_clock_moves (
  client_id text NOT NULL REFERENCES clients (id),
  offset_seconds bigint NOT NULL CHECK (offset_seconds > 0),
  moved_at timestamptz NOT NULL DEFAULT now(),
  moved_by text NOT NULL REFERENCES partners (id),
  PRIMARY KEY (client_id, offset_seconds)
);
