/** Self-signed certificates for tests over real TLS, made by the machine's openssl. */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertificatePair {
  cert: Buffer;
  key: Buffer;
  /** x5t#S256: base64url of the SHA-256 of the DER certificate (RFC 8705). */
  thumbprint: string;
}

/** A self-signed P-256 certificate for `name` (valid one day, for localhost and 127.0.0.1), its files written in `dir` as `<name>.pem` and `<name>-key.pem`. */
export function selfSignedCertificate(dir: string, name: string): CertificatePair {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  execFileSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(certFile);
  return { cert, key: readFileSync(keyFile), thumbprint: createHash('sha256').update(new X509Certificate(cert).raw).digest('base64url') };
}
