/**
 * Standard Webhooks signing (the `standardwebhooks` library): `webhook-id`, `webhook-timestamp`
 * (unix seconds) and `webhook-signature`, `v1,` and the base64 HMAC-SHA256 of
 * `id.timestamp.body` over the exact bytes sent; during a rotation's overlap one signature per
 * live secret, space-separated. Secrets are `whsec_` and base64 of 24 random bytes.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new signing secret, `whsec_...` (shown to its owner once). */
export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** The three headers of a signed message. */
export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Signs `body` (the bytes sent, as a string) with every secret given, the newest first. */
export function signedHeaders(secrets: readonly string[], id: string, at: Date, body: string): SignedHeaders {
  const timestamp = new Date(Math.floor(at.getTime() / 1000) * 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp.getTime() / 1000),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, timestamp, body)).join(' '),
  };
}
