/**
 * Time-based one-time passwords (TOTP, RFC 6238), the embedded provider's second factor:
 * HMAC-SHA1, 6 digits, 30-second steps, what every authenticator app reads from an
 * otpauth:// URI (computed by the `otpauth` library). A code is accepted one step either side
 * of now (clocks drift) and once only: a step the account already used is refused, so a code
 * seen over a shoulder or replayed from a captured request is worth nothing (RFC 6238 §5.2).
 */
import { Secret, TOTP } from 'otpauth';

const SETTINGS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

/** Steps accepted either side of the current one. */
const WINDOW = 1;

/** A new secret: 160 random bits (RFC 4226 §4), in base32 as authenticator apps take it. */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/** The otpauth:// URI an authenticator app enrols from (typed in, or as a QR code). */
export const totpUri = (issuer: string, account: string, secret: string): string =>
  new TOTP({ issuer, label: account, secret: Secret.fromBase32(secret), ...SETTINGS }).toString();

/** Checks one-time codes and remembers, per account, the last step accepted. */
export class TotpCodes {
  private readonly lastStep = new Map<string, number>();

  /**
   * True when `code` is the account's code for a step within one of `now`, later than the last
   * step accepted for it; that step then counts as used. False for anything else.
   */
  accept(account: string, secret: string, code: string, now = Date.now()): boolean {
    if (!/^\d{6}$/.test(code)) return false;
    const delta = TOTP.validate({ token: code, secret: Secret.fromBase32(secret), ...SETTINGS, timestamp: now, window: WINDOW });
    if (delta === null) return false;
    const step = TOTP.counter({ period: SETTINGS.period, timestamp: now }) + delta;
    if (step <= (this.lastStep.get(account) ?? -1)) return false;
    this.lastStep.set(account, step);
    return true;
  }
}
