/**
 * Runs the SDK against a CYNOD API, e.g. the demo server of `npm start`:
 *
 *   CYNOD_BASE_URL=http://127.0.0.1:8080 CYNOD_CONSUMER_KEY=ck_... CYNOD_CONSUMER_SECRET=cs_... npx tsx examples/demo.ts
 */
import { ClientCredentialsTokenProvider, PartnerApi, ResponseError } from '../index';

async function main(): Promise<void> {
  const { CYNOD_BASE_URL = 'http://127.0.0.1:8080', CYNOD_CONSUMER_KEY, CYNOD_CONSUMER_SECRET } = process.env;
  if (!CYNOD_CONSUMER_KEY || !CYNOD_CONSUMER_SECRET) throw new Error('set CYNOD_CONSUMER_KEY and CYNOD_CONSUMER_SECRET (printed by npm start)');
  const tokens = new ClientCredentialsTokenProvider({ basePath: CYNOD_BASE_URL, consumerKey: CYNOD_CONSUMER_KEY, consumerSecret: CYNOD_CONSUMER_SECRET });
  const partner = new PartnerApi(tokens.configuration());
  try {
    const me = await partner.getPartnerMe();
    console.log(`Connected as ${me.data.name} (${me.data.partnerId}) with scopes: ${me.data.scopes.join(' ') || '(none)'}`);
  } catch (error) {
    if (error instanceof ResponseError) {
      // Every error answer is an envelope: code, message (for end users), debugMessage, requestId.
      const envelope = await error.response.json();
      console.error(`HTTP ${error.response.status} code ${envelope.code}: ${envelope.debugMessage} (requestId ${envelope.requestId})`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

void main();
