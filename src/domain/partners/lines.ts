/**
 * Partner identities behind their ids, so that maker-checker cannot be passed by a second identity.
 * A partner's line is the partner itself and, transitively, every partner that can act as
 * it: the one that created it (partners.created_by) and any one that made one of its live
 * secrets (an administrator's rotation hands the new secret to the administrator). A partner
 * without a recorded creator (CYNOD's, or created before migration 026 with none found) is
 * the top of its line.
 *
 * Two partners whose lines meet are one identity for maker-checker (one created the other,
 * or both come from one creator, which holds both secrets); a partner never changes the
 * access of a partner in its own line (that would be changing its own).
 */
import type { Queryable } from '../../db/database';

/** Each id's line (itself included), in one recursive statement. */
export async function partnerLines(db: Queryable, ids: readonly string[]): Promise<Map<string, Set<string>>> {
  const rows = await db.query<{ root: string; id: string }>(
    `WITH RECURSIVE makers (child, parent) AS (
       SELECT id, created_by FROM partners WHERE created_by IS NOT NULL
       UNION
       SELECT partner_id, created_by FROM partner_credentials
        WHERE created_by IS NOT NULL AND created_by <> partner_id AND (expires_at IS NULL OR expires_at > now())
     ), line (root, id) AS (
       SELECT root, root FROM unnest($1::text[]) AS r (root)
       UNION
       SELECT line.root, makers.parent FROM line JOIN makers ON makers.child = line.id
     )
     SELECT root, id FROM line`,
    [[...new Set(ids)]],
  );
  const lines = new Map(ids.map((id) => [id, new Set<string>()]));
  for (const row of rows) lines.get(row.root)?.add(row.id);
  return lines;
}

/** True when the two partners are one identity: their lines meet. */
export async function oneIdentity(db: Queryable, a: string, b: string): Promise<boolean> {
  const lines = await partnerLines(db, [a, b]);
  const [first, second] = [lines.get(a) ?? new Set<string>(), lines.get(b) ?? new Set<string>()];
  return [...first].some((id) => second.has(id));
}
