/** Starts the real server on a free loopback port over a fresh test database. */
import pino from 'pino';
import { CardVault, newCardKeys } from '../../src/domain/cards/card-numbers';
import { createLogger } from '../../src/http/logger';
import { startServer, type ServerOptions } from '../../src/server';
import { readConfig } from '../../src/config';
import type { AppConfig, AppParts } from '../../src/app';
import { createPartner, type NewPartner } from '../../src/domain/partners/partners';
import { SYSTEM_ACTORS } from '../../src/domain/actor';
import {
  Configuration,
  CoreAuditApi,
  CoreCardsApi,
  CoreFleetApi,
  CoreLedgerApi,
  CoreOperatorsApi,
  CorePartnersApi,
  CoreReferentialApi,
  OauthApi,
  PartnerApi,
  SystemApi,
} from '../../generated/sdk';
import { createTestDatabase, type TestDatabase } from './database';
import { oauthScopes } from '../../generated/operations';

import { captureStream, checkCapturedLogs, usedSecret } from './log-capture';

export { usedSecret };

/**
 * Servers log everything (level trace) into the capture of support/log-capture.ts, checked for
 * leaks after each test file; TEST_LOG_LEVEL also prints the lines at that level.
 */
function testLogger() {
  const shown = process.env.TEST_LOG_LEVEL;
  if (!shown || shown === 'silent') return createLogger('trace', captureStream);
  return createLogger(
    'trace',
    pino.multistream([
      { level: 'trace', stream: captureStream },
      { level: shown as pino.Level, stream: process.stdout },
    ]),
  );
}

const TEST_CONFIG: AppConfig = {
  mode: 'live',
  bodyLimitBytes: 16 * 1024,
  tokenTtlSeconds: 3600,
  validateResponses: true,
  allowInsecureHttp: false,
  corsOrigins: [],
  trustProxy: false,
  // Limits far above what the suites send; rate-limits.test.ts sets its own.
  rateLimitPerMinute: 1_000_000,
  tokenRateLimitPerMinute: 1_000_000,
  authFailureLimit: 1_000_000,
  authFailureWindowSeconds: 900,
  partnerHoldMaxSeconds: 1800,
  webhooks: readConfig({}).webhooks,
  operatorStepUpAcr: readConfig({}).operatorStepUpAcr,
};

/** One client per tag of the generated SDK. */
function sdkClients(configuration: Configuration) {
  return {
    oauth: new OauthApi(configuration),
    partner: new PartnerApi(configuration),
    system: new SystemApi(configuration),
    coreReferential: new CoreReferentialApi(configuration),
    coreAudit: new CoreAuditApi(configuration),
    coreCards: new CoreCardsApi(configuration),
    coreFleet: new CoreFleetApi(configuration),
    corePartners: new CorePartnersApi(configuration),
    coreLedger: new CoreLedgerApi(configuration),
    coreOperators: new CoreOperatorsApi(configuration),
  };
}

export interface TestServer {
  url: string;
  /** The internal listener's base URL, when `server.internal` asked for one. */
  internalUrl: string | undefined;
  database: TestDatabase;
  /** The server's card vault (its keys hash card numbers and driver codes). */
  cardVault: CardVault;
  /**
   * Creates a partner directly in the database (as the system); returns its key and secret. A
   * partner given Core scopes is internal unless `internal` says otherwise (only internal
   * partners may hold them).
   */
  partner(input?: Partial<NewPartner>): Promise<{ id: string; key: string; secret: string }>;
  /** A bearer token of a partner holding every scope of the contract (an internal application). */
  coreToken(): Promise<string>;
  /** SDK clients; pass a token for bearer calls or key/secret for Basic. */
  sdk(auth?: { token?: string; key?: string; secret?: string }): ReturnType<typeof sdkClients>;
  /** Gets a token with HTTP Basic through the SDK. */
  token(key: string, secret: string, scope?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestServer(
  options: {
    config?: Partial<AppConfig>;
    handlers?: AppParts['handlers'];
    database?: TestDatabase;
    /** Interface to listen on (default 127.0.0.1). */
    host?: string;
    /** TLS, header-size and internal-listener options of the server. */
    server?: ServerOptions;
    /** Whether the server is shutting down (GET /ready). */
    draining?: AppParts['draining'];
  } = {},
): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase());
  const logger = testLogger();
  const cardVault = new CardVault(newCardKeys(), '707070');
  const running = await startServer(
    { db: database.db, cardVault, logger, config: { ...TEST_CONFIG, ...options.config }, handlers: options.handlers, draining: options.draining },
    options.host ?? '127.0.0.1',
    0,
    options.server,
  );
  const sdk: TestServer['sdk'] = (auth = {}) => {
    const configuration = new Configuration({
      basePath: running.url,
      username: auth.key,
      password: auth.secret,
      accessToken: auth.token ? async () => `Bearer ${auth.token}` : undefined,
    });
    return sdkClients(configuration);
  };
  return {
    url: running.url,
    internalUrl: running.internalUrl,
    database,
    cardVault,
    async partner(input = {}) {
      const { partner, consumerSecret } = await createPartner(database.db, SYSTEM_ACTORS.system, {
        name: input.name ?? 'Partenaire de test',
        scopes: input.scopes ?? ['partner:profile.read'],
        basicAllowed: input.basicAllowed,
        allowedIps: input.allowedIps,
        internal: input.internal ?? (input.scopes ?? []).some((scope) => scope.startsWith('core:')),
      });
      usedSecret(consumerSecret, Buffer.from(`${partner.consumerKey}:${consumerSecret}`).toString('base64'));
      return { id: partner.id, key: partner.consumerKey, secret: consumerSecret };
    },
    sdk,
    async coreToken() {
      const { partner, consumerSecret } = await createPartner(database.db, SYSTEM_ACTORS.system, {
        name: 'Back-office CYNOD',
        scopes: Object.keys(oauthScopes),
        internal: true,
      });
      const token = (await sdk({ key: partner.consumerKey, secret: consumerSecret }).oauth.createToken({ grantType: 'client_credentials' })).access_token;
      usedSecret(consumerSecret, token);
      return token;
    },
    async token(key, secret, scope) {
      const answer = await sdk({ key, secret }).oauth.createToken({ grantType: 'client_credentials', scope });
      usedSecret(answer.access_token);
      return answer.access_token;
    },
    async stop() {
      await running.close();
      // A database passed in belongs to the caller (two servers may share one).
      if (!options.database) await database.dispose();
      checkCapturedLogs(); // again here: the lines written while closing included
    },
  };
}
