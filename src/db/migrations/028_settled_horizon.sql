-- The settled horizon (pagination.ts SETTLED_HORIZON) as a function, so that it can refuse an
-- answer it cannot vouch for. The horizon is the lowest transaction id in progress in the
-- statement's snapshot, leaving out the ids pg_stat_activity shows on other databases. But
-- pg_stat_activity is read after the snapshot was taken: a transaction that ended in between
-- no longer shows there, and nothing tells whether it was ours (its rows, if it committed,
-- are invisible to this snapshot: the horizon must stay below it) or another database's (it
-- wrote nothing here: holding the horizon there hides, for one read, rows just committed).
-- Such a horizon raises CYH01 instead; the statement is run again on a newer snapshot
-- (src/db/database.ts), where that transaction is no longer in progress; the last attempt sets
-- cynod.settled_horizon to 'hold' and holds the horizon there instead (as safe, only later). A
-- transaction still shown (in progress, or committing: recorded committed but not yet gone
-- from the snapshots taken meanwhile) holds the horizon, as one still in progress that no
-- session shows (a prepared transaction).
CREATE FUNCTION settled_horizon() RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
  snapshot pg_snapshot := pg_current_snapshot();
  held bigint;
BEGIN
  SELECT min(x.id::text::bigint) INTO held
    FROM pg_snapshot_xip(snapshot) AS x (id)
   WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.backend_xid = xid(x.id) AND a.datname <> current_database());
  IF held IS NULL THEN
    RETURN pg_snapshot_xmax(snapshot)::text::bigint;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.backend_xid = xid(held::text::xid8))
     AND pg_xact_status(held::text::xid8) <> 'in progress'
     AND current_setting('cynod.settled_horizon', true) IS DISTINCT FROM 'hold' THEN
    RAISE EXCEPTION 'the settled horizon moved while it was read' USING ERRCODE = 'CYH01';
  END IF;
  RETURN held;
END $$;
