-- A client company may keep a time zone of its own (an IANA name) when its cards are used in
-- another day than its network's: a client in Niger (UTC+1) on a network kept in
-- Africa/Abidjan. Null, the default and what every existing client gets, follows the network,
-- so nothing moves.
ALTER TABLE clients ADD COLUMN time_zone text;

-- The zones a client's cards may count their days in, beside each other: the client's own (or
-- null) and its network's. Which one applies is the domain's rule (cards/spends.ts
-- cardTimeZoneOf); client_network_zones stays the network's alone (the partners' statements).
CREATE VIEW client_time_zones AS
  SELECT c.id AS client_id, c.time_zone AS client_time_zone, n.time_zone AS network_time_zone
    FROM clients c JOIN networks n ON n.id = c.network_id;
