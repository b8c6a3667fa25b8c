/**
 * Demo data for `npm start` on the embedded database: a demo partner created the first time.
 * Its credentials are kept in the data directory (git-ignored, mode 0600) so that every start
 * can print them; a real deployment (DATABASE_URL) creates partners with the CLI instead.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oauthScopes } from '../generated/operations';
import type { Database } from './db/database';
import { createPartner } from './domain/partners/partners';

export interface DemoCredentials {
  partnerId: string;
  consumerKey: string;
  consumerSecret: string;
}

const DEMO_NAME = 'Partenaire de démonstration';

export async function ensureDemoPartner(db: Database, dataDir: string): Promise<DemoCredentials | null> {
  const file = join(dataDir, 'demo-credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
  const [existing] = await db.query('SELECT id FROM partners WHERE name = $1', [DEMO_NAME]);
  if (existing) return null; // created earlier, credentials file removed: the secret cannot be shown again
  const { partner, consumerSecret } = await createPartner(db, { name: DEMO_NAME, scopes: Object.keys(oauthScopes) });
  const credentials = { partnerId: partner.id, consumerKey: partner.consumerKey, consumerSecret };
  if (db.kind === 'pglite') writeFileSync(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  return credentials;
}

export function demoBanner(url: string, credentials: DemoCredentials): string {
  return [
    '',
    'Demo partner (embedded database):',
    `  consumer-key:    ${credentials.consumerKey}`,
    `  consumer-secret: ${credentials.consumerSecret}`,
    '',
    'Get a token:',
    `  curl -s -u '${credentials.consumerKey}:${credentials.consumerSecret}' -d grant_type=client_credentials ${url}/oauth/token`,
    '',
    'Call the API with it:',
    `  TOKEN=$(curl -s -u '${credentials.consumerKey}:${credentials.consumerSecret}' -d grant_type=client_credentials ${url}/oauth/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    `  curl -s -H "Authorization: Bearer $TOKEN" ${url}/partner/v1/me`,
    '',
  ].join('\n');
}
