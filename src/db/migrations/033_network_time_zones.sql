-- Each network has a time zone (an IANA name): its cards' allowance periods, the days of the
-- statements read in it and the limits per day are its local calendar periods. Existing
-- networks keep the zone every day was counted in until now, Africa/Abidjan (UTC), so nothing
-- moves.
ALTER TABLE networks ADD COLUMN time_zone text NOT NULL DEFAULT 'Africa/Abidjan';

-- The zone a client's cards and a service point count their days in: their network's. Named
-- views, so that the areas that need a zone read it without reading the referential's tables.
CREATE VIEW client_network_zones AS
  SELECT c.id AS client_id, n.time_zone FROM clients c JOIN networks n ON n.id = c.network_id;
CREATE VIEW service_point_network_zones AS
  SELECT s.id AS service_point_id, n.time_zone FROM service_points s JOIN networks n ON n.id = s.network_id;
