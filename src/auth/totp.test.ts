import { Secret, TOTP } from 'otpauth';
import { newTotpSecret, TotpCodes, totpUri } from './totp';

/** RFC 6238 appendix B's SHA-1 secret ("12345678901234567890") and its 8-digit vector at 59 s, of which 6 digits are ours. */
const RFC_SECRET = Secret.fromUTF8('12345678901234567890').base32;
const codeAt = (secret: string, timestamp: number) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp });

describe('TOTP codes (RFC 6238)', () => {
  it('when the code of RFC 6238 appendix B is given at its time, then it is accepted', () => {
    expect(new TotpCodes().accept('a', RFC_SECRET, '287082', 59_000)).toBe(true); // 94287082 in the RFC, six digits kept
  });

  it('when a code is wrong, malformed or more than one step away, then it is refused', () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000_000;
    const codes = new TotpCodes();
    const right = codeAt(secret, now);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    expect(codes.accept('a', secret, wrong, now)).toBe(false);
    expect(codes.accept('a', secret, ` ${right}`, now)).toBe(false);
    expect(codes.accept('a', secret, codeAt(secret, now - 60_000), now)).toBe(false);
    expect(codes.accept('a', secret, codeAt(secret, now + 60_000), now)).toBe(false);
    expect(codes.accept('a', secret, right, now)).toBe(true);
  });

  it('when a code is used again, or an earlier step after a later one, then it is refused; the next step is accepted', () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000_000;
    const codes = new TotpCodes();
    expect(codes.accept('a', secret, codeAt(secret, now), now)).toBe(true);
    expect(codes.accept('a', secret, codeAt(secret, now), now + 1000)).toBe(false);
    expect(codes.accept('a', secret, codeAt(secret, now - 30_000), now)).toBe(false);
    expect(codes.accept('a', secret, codeAt(secret, now + 30_000), now)).toBe(true);
    // Steps are remembered per account.
    expect(codes.accept('b', secret, codeAt(secret, now), now)).toBe(true);
  });

  it('when a secret is made, then it is 160 bits in base32 and its URI carries it with the settings apps expect', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = new URL(totpUri('CYNOD', 'saisie-bons', secret));
    expect(`${uri.protocol}//${uri.host}${decodeURIComponent(uri.pathname)}`).toBe('otpauth://totp/CYNOD:saisie-bons');
    expect(Object.fromEntries(uri.searchParams)).toEqual({ issuer: 'CYNOD', secret, algorithm: 'SHA1', digits: '6', period: '30' });
  });
});
