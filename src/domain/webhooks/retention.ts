/**
 * The delivery log's retention: attempts older than WEBHOOK_LOG_RETENTION_DAYS, and deliveries
 * finished before it (with their attempts), are deleted a bounded batch at a time, so that a
 * purge never holds locks or the disk for long. Pending deliveries are kept whatever their age.
 */
import type { Queryable } from '../../db/database';

/** Rows of each table one purge deletes at most. */
const PURGE_BATCH = 1000;

/** Deletes one batch of each; `full` when a batch was full (more may be waiting). */
export async function purgeDeliveryLog(db: Queryable, retentionDays: number): Promise<{ purged: number; full: boolean }> {
  const [attempts] = await db.query<{ n: number }>(
    `WITH gone AS (DELETE FROM webhook_attempts WHERE seq IN (
       SELECT seq FROM webhook_attempts WHERE attempted_at < now() - make_interval(days => $1) ORDER BY attempted_at LIMIT $2) RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [retentionDays, PURGE_BATCH],
  );
  const [deliveries] = await db.query<{ n: number }>(
    `WITH gone AS (DELETE FROM webhook_deliveries WHERE id IN (
       SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND completed_at < now() - make_interval(days => $1) ORDER BY completed_at LIMIT $2) RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [retentionDays, PURGE_BATCH],
  );
  return { purged: attempts.n + deliveries.n, full: attempts.n === PURGE_BATCH || deliveries.n === PURGE_BATCH };
}
