import { AppError } from '../domain/app-error';
import { OperatorTokenVerifier, type OperatorClaims } from './operator-tokens';

const SETTINGS = { issuer: 'https://login.example/realms/cynod', audience: 'cynod-core-api', clockSkewSeconds: 5, jwksCooldownSeconds: 30 };
const NOW = 1_800_000_000_000;
const claims = (overrides: Partial<OperatorClaims>): OperatorClaims => ({
  issuer: SETTINGS.issuer,
  subject: 'awa',
  authTime: NOW / 1000 - 10,
  methods: [],
  contextClass: null,
  ...overrides,
});

/** The AppError checkStepUp throws, or null when it lets the token through. */
function refusal(verifier: OperatorTokenVerifier, token: OperatorClaims, maxAgeSeconds = 300): AppError | null {
  try {
    verifier.checkStepUp(token, maxAgeSeconds, NOW);
    return null;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}

describe('step-up (x-operator-step-up) with a configured acr', () => {
  const verifier = new OperatorTokenVerifier(SETTINGS, 'gold');

  it("when the token's acr is the configured one and its login recent, then it passes; amr naming mfa passes too", () => {
    expect(refusal(verifier, claims({ contextClass: 'gold' }))).toBeNull();
    expect(refusal(verifier, claims({ methods: ['pwd', 'mfa'] }))).toBeNull();
  });

  it('when the acr is another one and amr names no mfa, then it is STEP_UP_REQUIRED, and the challenge names the acr wanted and the age', () => {
    const error = refusal(verifier, claims({ contextClass: 'silver', methods: ['pwd', 'otp'] }));
    expect(error?.codeName).toBe('STEP_UP_REQUIRED');
    expect(error?.message).toMatch(/acr is not gold/);
    expect(error?.headers?.['WWW-Authenticate']).toMatch(/error="insufficient_user_authentication".*, acr_values="gold", max_age=300$/);
  });

  it('when the strong login is older than the age (beyond the clock skew) or has no auth_time, then it is STEP_UP_REQUIRED', () => {
    expect(refusal(verifier, claims({ contextClass: 'gold', authTime: NOW / 1000 - 305 }))).toBeNull();
    expect(refusal(verifier, claims({ contextClass: 'gold', authTime: NOW / 1000 - 306 }))?.message).toMatch(/authenticated 306 s ago/);
    expect(refusal(verifier, claims({ contextClass: 'gold', authTime: null }))?.message).toMatch(/no auth_time/);
  });
});
