// Generated from spec/ by `npm run generate`. Do not edit.
/**
 * Runs the SDK against a CYNOD API, e.g. the demo server of `npm start`:
 *
 *   CYNOD_BASE_URL=http://127.0.0.1:8080 CYNOD_CONSUMER_KEY=ck_... CYNOD_CONSUMER_SECRET=cs_... npx tsx examples/demo.ts
 *
 * A missing setting or an unreachable server is told in one line (exit code 1), not a stack trace.
 */
import { ClientCredentialsTokenProvider, PartnerApi, ResponseError } from '../index';

const SETTINGS = ['CYNOD_BASE_URL', 'CYNOD_CONSUMER_KEY', 'CYNOD_CONSUMER_SECRET'] as const;
const USAGE = 'CYNOD_BASE_URL=http://127.0.0.1:8080 CYNOD_CONSUMER_KEY=ck_... CYNOD_CONSUMER_SECRET=cs_... npm run sdk:example (npm start prints the demo key and secret)';

function fail(line: string): void {
  console.error(line);
  process.exitCode = 1;
}

async function main(): Promise<void> {
  const missing = SETTINGS.filter((name) => !process.env[name]);
  if (missing.length > 0) return fail(`set ${missing.join(', ')}, e.g. ${USAGE}`);
  const { CYNOD_BASE_URL: basePath = '', CYNOD_CONSUMER_KEY: consumerKey = '', CYNOD_CONSUMER_SECRET: consumerSecret = '' } = process.env;
  const tokens = new ClientCredentialsTokenProvider({ basePath, consumerKey, consumerSecret });
  const partner = new PartnerApi(tokens.configuration());
  try {
    const me = await partner.getPartnerMe();
    console.log(`Connected as ${me.data.name} (${me.data.partnerId}) with scopes: ${me.data.scopes.join(' ') || '(none)'}`);
  } catch (error) {
    if (error instanceof ResponseError) {
      // Every error answer is an envelope: code, message (for end users), debugMessage, requestId.
      const envelope = await error.response.json().catch(() => ({}));
      return fail(`HTTP ${error.response.status} code ${envelope.code}: ${envelope.debugMessage} (requestId ${envelope.requestId})`);
    }
    // No answer at all (wrong URL, server down): the innermost cause (e.g. ECONNREFUSED) in one line.
    let cause: unknown = error;
    while ((cause as { cause?: unknown }).cause) cause = (cause as { cause?: unknown }).cause;
    fail(`no answer from CYNOD_BASE_URL=${basePath}: ${cause instanceof Error ? cause.message : String(cause)} (is the server running? npm start)`);
  }
}

void main();
