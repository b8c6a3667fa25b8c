/**
 * Credentials and tokens: generation (URL-safe, from the OS CSPRNG), hashing for storage,
 * constant-time comparison. Consumer secrets and access tokens carry at least 256 random bits,
 * so a fast SHA-256 is the right storage hash (no password stretching needed).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CONSUMER_KEY_PREFIX, type DeploymentMode } from '../deployment';

const randomPart = (bytes: number) => randomBytes(bytes).toString('base64url');

/** A public identifier of a partner credential (128 random bits), with its deployment's prefix (ck_live_ or ck_test_). */
export const newConsumerKey = (mode: DeploymentMode) => `${CONSUMER_KEY_PREFIX[mode]}${randomPart(16)}`;
/** A consumer secret (256 random bits); shown once, stored hashed. */
export const newConsumerSecret = () => `cs_${randomPart(32)}`;
/** An opaque bearer access token (256 random bits). */
export const newAccessToken = () => randomPart(32);

/** SHA-256, hex: how secrets and tokens are stored and looked up. */
export const hashSecret = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/** Compares two hex hashes of equal length in constant time. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
