/**
 * Card numbers are bearer credentials: 16 digits ending with a Luhn check digit, stored as a
 * keyed hash (for lookups) and an authenticated encryption (to recover the number), shown
 * masked everywhere else. This module is the one place that handles a full number. Its hash
 * key also hashes the other secrets a card is used with (driver codes), each under its own prefix.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomInt } from 'node:crypto';

/** The Luhn check digit of the digits before it. */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let index = 0; index < payload.length; index += 1) {
    let digit = Number(payload[payload.length - 1 - index]);
    if (index % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** True for 16 digits whose last one is the Luhn check digit of the others. */
export const isValidCardNumber = (number: string) => /^[0-9]{16}$/.test(number) && luhnCheckDigit(number.slice(0, 15)) === Number(number[15]);

/** A new random number under the issuer prefix (IIN). */
export function newCardNumber(iin: string): string {
  let payload = iin;
  while (payload.length < 15) payload += String(randomInt(10));
  return payload + String(luhnCheckDigit(payload));
}

/** First 6 and last 4 digits, the rest hidden. */
export const maskCardNumber = (number: string) => `${number.slice(0, 6)}******${number.slice(-4)}`;

/** The two secret keys that protect stored card numbers (32 bytes each). */
export interface CardKeys {
  hashKey: Buffer;
  encryptionKey: Buffer;
}

export const newCardKeys = (): CardKeys => ({ hashKey: randomBytes(32), encryptionKey: randomBytes(32) });

/** Hashes for lookups and encrypts for recovery, so a database dump reveals no number. */
export class CardVault {
  constructor(
    private readonly keys: CardKeys,
    /** The issuer identification number that starts every card number. */
    readonly iin: string,
  ) {
    if (keys.hashKey.length !== 32 || keys.encryptionKey.length !== 32) throw new Error('card keys must be 32 bytes each');
    if (!/^[0-9]{6}$/.test(iin)) throw new Error('the card IIN must be 6 digits');
  }

  /** HMAC-SHA256 of the number: equal numbers, equal hashes; no key, no guess. */
  lookupHash(number: string): string {
    return createHmac('sha256', this.keys.hashKey).update(number).digest('hex');
  }

  /**
   * HMAC-SHA256 of another secret under the same key, prefixed by its purpose and its owner's
   * id: never the hash of a card number, and the same code of two drivers hashes differently.
   */
  secretHash(purpose: 'driver-code', ownerId: string, secret: string): string {
    return createHmac('sha256', this.keys.hashKey).update(`${purpose}\0${ownerId}\0${secret}`).digest('hex');
  }

  /** AES-256-GCM, as `iv.tag.ciphertext` in base64url. */
  encrypt(number: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.encryptionKey, iv);
    const ciphertext = Buffer.concat([cipher.update(number, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url')).join('.');
  }

  decrypt(sealed: string): string {
    const [iv, tag, ciphertext] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', this.keys.encryptionKey, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  }
}
