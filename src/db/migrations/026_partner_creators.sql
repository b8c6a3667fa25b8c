-- Who created each partner (issue: maker-checker bypassed by a second identity): the id of
-- the partner whose call created it; null when CYNOD did (the CLI, the demo data, start-up).
-- A partner created by another, transitively, counts as its creator for the creator's
-- vouchers (src/domain/partners/lines.ts).
ALTER TABLE partners ADD COLUMN created_by text REFERENCES partners (id);

-- Partners created before: their creator is the partner that the audit trail records as the
-- actor of their `partner.created` event, or else the maker of their oldest secret (recorded
-- since migration 009). Without either, none is recorded: the partner counts as created by
-- CYNOD, an identity of its own, linked to others only by the live secrets others made.
UPDATE partners p SET created_by = a.actor_id
  FROM audit_events a
 WHERE a.resource_type = 'partner' AND a.resource_id = p.id AND a.action = 'partner.created' AND a.channel = 'api'
   AND a.actor_id <> p.id AND EXISTS (SELECT 1 FROM partners creator WHERE creator.id = a.actor_id);

UPDATE partners p SET created_by = first.created_by
  FROM (SELECT DISTINCT ON (partner_id) partner_id, created_by FROM partner_credentials ORDER BY partner_id, seq) first
 WHERE p.created_by IS NULL AND first.partner_id = p.id AND first.created_by <> p.id
   AND EXISTS (SELECT 1 FROM partners creator WHERE creator.id = first.created_by);
