/**
 * The guide's webhook test vectors are right: the `standardwebhooks` library and the server's
 * signer produce and verify them, and the SDK's receiver example verifies them and refuses a
 * tampered body, a stale timestamp and another secret.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { signedHeaders } from '../src/domain/webhooks/signing';
import { TEST_VECTORS, verifyWebhook } from '../generated/sdk/examples/webhook-receiver';

const guide = readFileSync(join(__dirname, '..', 'spec', 'docs', 'guide.md'), 'utf8');
const v = TEST_VECTORS;

test('when the guide is read, then it publishes the vectors the SDK example checks', () => {
  for (const text of [
    v.secret,
    v.rotatedSecret,
    v.body,
    v.headers['webhook-signature'],
    v.rotationSignature,
    `webhook-timestamp: ${v.headers['webhook-timestamp']}`,
  ]) {
    expect(guide).toContain(text);
  }
});

test('when the server signs the vector, then it gives the published headers, one signature per live secret, newest first', () => {
  expect(signedHeaders([v.secret], v.headers['webhook-id'], v.at, v.body)).toEqual(v.headers);
  expect(signedHeaders([v.rotatedSecret, v.secret], v.headers['webhook-id'], v.at, v.body)['webhook-signature']).toBe(v.rotationSignature);
});

test('when the library verifies the vectors, then they pass', () => {
  const verify = (secret: string, headers: Record<string, string>) => {
    jest.useFakeTimers({ now: v.at });
    try {
      return new Webhook(secret).verify(v.body, headers);
    } finally {
      jest.useRealTimers();
    }
  };
  expect(verify(v.secret, v.headers)).toEqual(JSON.parse(v.body));
  expect(verify(v.rotatedSecret, { ...v.headers, 'webhook-signature': v.rotationSignature })).toEqual(JSON.parse(v.body));
});

test('when the SDK example verifies, then the vectors pass and a tampered body, a stale timestamp or another secret fail', () => {
  expect(verifyWebhook([v.secret], v.headers, v.body, v.at)).toBe(true);
  expect(verifyWebhook([v.rotatedSecret], { ...v.headers, 'webhook-signature': v.rotationSignature }, v.body, v.at)).toBe(true);
  expect(verifyWebhook([v.secret], v.headers, v.body.replace('"cardSequence":10', '"cardSequence":11'), v.at)).toBe(false);
  expect(verifyWebhook([v.secret], v.headers, v.body, new Date(v.at.getTime() + 6 * 60_000))).toBe(false);
  expect(verifyWebhook([v.rotatedSecret], v.headers, v.body, v.at)).toBe(false);
});
