import { Secret, URI, type TOTP } from 'otpauth';
import { operatorsBanner } from './demo';

describe('the demo operators banner of npm start', () => {
  it('when it prints an operator, then it gives the password and the TOTP URI of its secret, never a current code', () => {
    const secret = new Secret({ size: 20 }).base32;
    const banner = operatorsBanner({ issuer: 'http://127.0.0.1:8080/oidc', loginUrl: 'http://127.0.0.1:8080/login' }, [
      { subject: 'validation-bons', displayName: 'Fatou Bamba', roleName: 'Validation', password: 'mot-de-passe', totpSecret: secret },
    ]);
    expect(banner).toContain('validation-bons  password mot-de-passe  Fatou Bamba, Validation');
    const uri = /otpauth:\/\/totp\/\S+/.exec(banner)?.[0];
    expect(uri).toBeDefined();
    // What an authenticator app reads from it: the operator's secret and the usual settings.
    const enrolled = URI.parse(uri!) as TOTP;
    expect([enrolled.issuer, enrolled.label, enrolled.secret.base32, enrolled.algorithm, enrolled.digits, enrolled.period]).toEqual([
      'CYNOD',
      'validation-bons',
      secret,
      'SHA1',
      6,
      30,
    ]);
    expect(banner).not.toMatch(/(?<![\w-])\d{6}(?![\w-])/);
    expect(banner).toContain('http://127.0.0.1:8080/login');
  });
});
