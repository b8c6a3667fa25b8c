/** WWW-Authenticate challenges (RFC 6750 §3 for bearer tokens, with RFC 9470's step-up error; RFC 7617 for Basic). */
const REALM = 'cynod';

export function bearerChallenge(
  error?: 'invalid_token' | 'insufficient_scope' | 'invalid_request' | 'insufficient_user_authentication',
  description?: string,
  scope?: string,
): string {
  const parts = [`realm="${REALM}"`];
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${description}"`);
  if (scope) parts.push(`scope="${scope}"`);
  return `Bearer ${parts.join(', ')}`;
}

export const basicChallenge = () => `Basic realm="${REALM}", charset="UTF-8"`;
