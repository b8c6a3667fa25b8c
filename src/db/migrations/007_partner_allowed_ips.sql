-- IP allow-lists: CIDR ranges (canonical text, e.g. 203.0.113.0/24); empty allows every address.
ALTER TABLE partners ADD COLUMN allowed_ips text[] NOT NULL DEFAULT '{}';
