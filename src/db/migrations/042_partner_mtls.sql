-- Partners with mutual TLS (RFC 8705): the SHA-256 thumbprints (x5t#S256, base64url, 43
-- characters) of the client certificates a partner must present. Empty: no certificate is
-- required. More than one during a certificate rotation. A token issued to such a partner is
-- bound to the certificate it was asked with (access_tokens.certificate_thumbprint, its
-- cnf.x5t#S256) and refused on a connection without that certificate.
ALTER TABLE partners ADD COLUMN certificate_thumbprints text[] NOT NULL DEFAULT '{}';
ALTER TABLE partners ADD CONSTRAINT partners_certificate_thumbprints CHECK (
  cardinality(certificate_thumbprints) <= 5 AND array_to_string(certificate_thumbprints, ',') ~ '^([A-Za-z0-9_-]{43}(,|$))*$'
);
ALTER TABLE access_tokens ADD COLUMN certificate_thumbprint text CHECK (certificate_thumbprint ~ '^[A-Za-z0-9_-]{43}$');
