-- Internal applications: only partners marked internal may hold Core scopes (core:*); the
-- token lookup ignores Core scopes of any other partner. A partner that holds Core scopes and
-- was created by CYNOD itself (the CLI or the demo data: no actor in the audit trail) is one
-- of its internal applications. One created through the API is not: whoever gave it Core
-- scopes could give it anything, so it keeps them on record but never in a token, until an
-- internal administrator (or the CLI) decides.
ALTER TABLE partners ADD COLUMN internal boolean NOT NULL DEFAULT false;
UPDATE partners p SET internal = true
 WHERE EXISTS (SELECT 1 FROM unnest(p.scopes) AS s(scope) WHERE s.scope LIKE 'core:%')
   AND EXISTS (SELECT 1 FROM audit_events a
                WHERE a.resource_type = 'partner' AND a.resource_id = p.id AND a.action = 'partner.created'
                  AND a.actor_id IS NULL AND a.channel IN ('cli', 'system'));

-- Who made each secret: the id of the partner whose call made it (its own for a rotation of
-- its own secret, an administrator's otherwise); null when CYNOD made it (CLI, start-up).
ALTER TABLE partner_credentials ADD COLUMN created_by text;
