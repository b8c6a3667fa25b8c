/**
 * What every example shares: the settings read from the environment, the token provider and
 * API classes built from them, and a failure told in one line (exit code 1), not a stack trace.
 */
import { ClientCredentialsTokenProvider, CynodError, PartnerApi } from '../index';

export const USAGE =
  'CYNOD_BASE_URL=http://127.0.0.1:8080 CYNOD_CONSUMER_KEY=ck_... CYNOD_CONSUMER_SECRET=cs_... (npm start prints the demo key, secret and card number)';

/** The named settings, or null after saying which are missing. */
export function settings<const Name extends string>(...names: Name[]): Record<Name | 'CYNOD_BASE_URL', string> | null {
  const all = ['CYNOD_BASE_URL', 'CYNOD_CONSUMER_KEY', 'CYNOD_CONSUMER_SECRET', ...names];
  const missing = all.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    fail(`set ${missing.join(', ')}, e.g. ${USAGE}`);
    return null;
  }
  return Object.fromEntries(all.map((name) => [name, process.env[name]!])) as Record<Name | 'CYNOD_BASE_URL', string>;
}

/** The 3rd Party API with a token provider (tokens renewed before they expire, safe failures retried). */
export function connect(): { partner: PartnerApi } {
  const tokens = new ClientCredentialsTokenProvider({
    basePath: process.env.CYNOD_BASE_URL!,
    consumerKey: process.env.CYNOD_CONSUMER_KEY!,
    consumerSecret: process.env.CYNOD_CONSUMER_SECRET!,
  });
  return { partner: new PartnerApi(tokens.configuration()) };
}

export function fail(line: string): void {
  console.error(line);
  process.exitCode = 1;
}

/** A refusal by its code and messages; no answer at all (wrong URL, server down) by its innermost cause. */
export function describeFailure(error: unknown): string {
  if (error instanceof CynodError) {
    return `HTTP ${error.status} code ${error.code}: ${error.userMessage} (${error.debugMessage ?? 'no detail'}; requestId ${error.requestId})`;
  }
  let cause: unknown = error;
  while ((cause as { cause?: unknown }).cause) cause = (cause as { cause?: unknown }).cause;
  return `no answer from CYNOD_BASE_URL=${process.env.CYNOD_BASE_URL}: ${cause instanceof Error ? cause.message : String(cause)} (is the server running? npm start)`;
}

/** Runs an example's body, telling any failure in one line. */
export function run(body: () => Promise<void>): void {
  body().catch((error: unknown) => fail(describeFailure(error)));
}
