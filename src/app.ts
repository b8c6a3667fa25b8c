/** Assembles the express app: context, parsers, raw routes, validator, handlers, error mapper. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express, type Request } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import type { OpenAPIV3 } from 'express-openapi-validator/dist/framework/types';
import { ClientGuard, type GuardSettings } from './auth/client-guard';
import { tokenEndpoint } from './auth/token-endpoint';
import { introspectionEndpoint, revocationEndpoint } from './auth/token-lifecycle';
import type { Config } from './config';
import type { Database } from './db/database';
import { partnerActor, type Actor } from './domain/actor';
import { isContractDate, isContractDateTime } from './domain/calendar';
import type { CardVault } from './domain/cards/card-numbers';
import { REPLAY_HEADER } from './domain/idempotency';
import { readUnitScales, withoutAmountScales, withScaledDetails, withUnitScales } from './domain/referential/unit-scales';
import { handlers as defaultHandlers } from './handlers';
import type { HandlerContext } from './handlers/context';
import { errorMapper } from './http/error-mapper';
import { cacheRouteMatchers } from './http/route-matcher-cache';
import { narrowRouteLookup } from './http/route-lookup';
import { leanValidatorSchemas } from './http/validator-schema-cache';
import { leanSpecLoading } from './http/validator-spec-loading';
import type { Logger } from './http/logger';
import { requestContext } from './http/request-context';
import { clientAddressOf } from './request/request';
import { languageOf } from './request/language';
import { checkHandlerKeys, markDeprecated, mountEnvelopeRoutes, mountRawRoutes, type RawRoutes } from './http/routes';
import { securityHandlers } from './auth/security';
import { OperatorTokenVerifier } from './auth/operator-tokens';
import type { EmbeddedOidc } from './auth/embedded-oidc';
import { cors } from './http/cors';
import { contractAnswersFor } from './http/contract-answers';
import { precompressed } from './http/precompressed';
import { internalOnly } from './http/listeners';
import { headAsGet, rfc3986Query, singleAuthorization, utf8Body } from './http/request-shape';
import { securityHeaders } from './http/security-headers';
import { textGuard } from './http/text-guard';
import { transportSecurity } from './http/transport-security';
import type { Metrics } from './metrics/metrics';
import type { Handlers } from '../generated/operations';

const GENERATED = join(__dirname, '..', 'generated');
/**
 * The published contract's texts, read from generated/ when asked, not kept: each is made into
 * answers once per address (contract-answers.ts keeps only their bytes) and into the
 * validator's copy once per app (about 7 MB of heap saved: the texts are 2-byte strings).
 */
const published = {
  get json() {
    return readFileSync(join(GENERATED, 'openapi.json'), 'utf8');
  },
  get yaml() {
    return readFileSync(join(GENERATED, 'openapi.yaml'), 'utf8');
  },
};
const docsPage = readFileSync(join(GENERATED, 'docs', 'index.html'), 'utf8');
const docsAnswer = precompressed(docsPage, 'text/html');

cacheRouteMatchers();
narrowRouteLookup();
leanValidatorSchemas();
leanSpecLoading();

export type AppConfig = Pick<
  Config,
  | 'bodyLimitBytes'
  | 'tokenTtlSeconds'
  | 'validateResponses'
  | 'allowInsecureHttp'
  | 'corsOrigins'
  | 'trustProxy'
  | 'partnerHoldMaxSeconds'
  | 'webhooks'
  | 'operatorStepUpAcr'
  | keyof GuardSettings
> &
  Partial<Pick<Config, 'publicBaseUrl' | 'oidc'>>;

/** The validator options the server uses; the example test reuses them. */
export function validatorOptions(config: Pick<Config, 'validateResponses'>, security: ReturnType<typeof securityHandlers>) {
  return {
    // The validator's own copy (it changes what it is given).
    apiSpec: JSON.parse(published.json) as OpenAPIV3.DocumentV3,
    validateRequests: { allowUnknownQueryParameters: false },
    validateResponses: config.validateResponses,
    validateSecurity: { handlers: security },
    ignoreUndocumented: false,
    // One reading of dates for every operation, requests and answers: real calendar instants within the contract's range.
    formats: { 'date-time': { type: 'string' as const, validate: isContractDateTime }, date: { type: 'string' as const, validate: isContractDate } },
  };
}

export interface AppParts {
  db: Database;
  cardVault: CardVault;
  logger: Logger;
  config: AppConfig;
  /** Times the requests and answers GET /metrics. */
  metrics: Metrics;
  /** Replaces handlers (tests plant faulty ones); defaults to the real ones. */
  handlers?: Handlers<HandlerContext>;
  /** True once the process is shutting down (GET /ready then answers 503); default never. */
  draining?: () => boolean;
  /** The embedded OpenID provider (no OIDC_ISSUER_URL, demo data on): mounted, and its tokens accepted as operators'. */
  embeddedOidc?: EmbeddedOidc;
}

/** The request's actor, built once from its verified credential (none on public operations). */
function actorOfRequest(req: Request): Actor | undefined {
  if (req.operator) return req.operator;
  const { credential } = req;
  if (!credential) return undefined;
  return partnerActor(
    { id: credential.partnerId, name: credential.partnerName, scopes: credential.scopes },
    { requestId: req.requestId, address: clientAddressOf(req), language: languageOf(req) },
  );
}

export function createApp({ db, cardVault, logger, config, metrics, handlers = defaultHandlers, draining = () => false, embeddedOidc }: AppParts): Express {
  const guard = new ClientGuard(db, config);
  const operatorTokens = embeddedOidc?.verifier ?? (config.oidc ? new OperatorTokenVerifier(config.oidc, config.operatorStepUpAcr) : null);
  const rawRoutes: RawRoutes = {
    createToken: tokenEndpoint(guard, config.tokenTtlSeconds),
    revokeToken: revocationEndpoint(guard),
    introspectToken: introspectionEndpoint(guard),
    getOpenApiJson: contractAnswersFor(published, config.publicBaseUrl).json,
    getOpenApiYaml: contractAnswersFor(published, config.publicBaseUrl).yaml,
    getDocs: docsAnswer,
    getMetrics: metrics.scrape,
  };
  checkHandlerKeys(handlers, rawRoutes);

  const app = express();
  app.disable('x-powered-by');
  // No ETag computed over every answer's body (the contract documents none; /docs sets its own, and 304s on it).
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Paths match exactly: /Core/V1/partners/ is not /core/v1/partners (a proxy rule on /core/ must not be bypassed).
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.set('trust proxy', config.trustProxy);
  app.use(metrics.requestTimer);
  app.use(requestContext(logger));
  app.use(singleAuthorization);
  app.use(headAsGet);
  app.use(securityHeaders(docsPage));
  app.use(transportSecurity(config));
  app.use(cors(config.corsOrigins));
  // The embedded provider reads its own request bodies: mounted before the parsers.
  if (embeddedOidc) app.use(embeddedOidc.routes);
  markDeprecated(app);
  app.use(express.json({ limit: config.bodyLimitBytes, type: ['application/json', 'application/*+json'], verify: utf8Body }));
  app.use(express.urlencoded({ extended: false, limit: config.bodyLimitBytes, parameterLimit: 50, verify: utf8Body }));
  app.use(textGuard);
  app.use(rfc3986Query);
  mountRawRoutes(app, rawRoutes, true);
  app.use(internalOnly);
  app.use(OpenApiValidator.middleware(validatorOptions(config, securityHandlers(guard, operatorTokens))));
  mountRawRoutes(app, rawRoutes, false);
  mountEnvelopeRoutes(
    app,
    handlers,
    (req, res): HandlerContext => ({
      db,
      cardVault,
      settings: { partnerHoldMaxSeconds: config.partnerHoldMaxSeconds, webhooks: config.webhooks, mode: config.mode },
      credential: req.credential,
      actor: actorOfRequest(req),
      markReplayed: () => res.setHeader(REPLAY_HEADER, 'true'),
      draining,
    }),
    {
      accept: (body) => withoutAmountScales(db, body),
      present: (data) => withUnitScales(db, data),
      presentRefusal: (error) => withScaledDetails(db, error),
      scales: () => readUnitScales(db),
    },
  );
  app.use(errorMapper());
  return app;
}
