/** Assembles the express app: context, parsers, raw routes, validator, handlers, error mapper. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import type { OpenAPIV3 } from 'express-openapi-validator/dist/framework/types';
import { tokenEndpoint } from './auth/token-endpoint';
import { introspectionEndpoint, revocationEndpoint } from './auth/token-lifecycle';
import type { Config } from './config';
import type { Database } from './db/database';
import type { CardVault } from './domain/cards/card-numbers';
import { handlers as defaultHandlers } from './handlers';
import type { HandlerContext } from './handlers/context';
import { errorMapper } from './http/error-mapper';
import { cacheRouteMatchers } from './http/route-matcher-cache';
import type { Logger } from './http/logger';
import { requestContext } from './http/request-context';
import { checkHandlerKeys, mountEnvelopeRoutes, mountRawRoutes, type RawRoutes } from './http/routes';
import { securityHandlers } from './http/security';
import type { Handlers } from '../generated/operations';

const GENERATED = join(__dirname, '..', 'generated');
/** The published contract, read once. */
export const contractJson = readFileSync(join(GENERATED, 'openapi.json'), 'utf8');
const contractYaml = readFileSync(join(GENERATED, 'openapi.yaml'), 'utf8');
const docsPage = readFileSync(join(GENERATED, 'docs', 'index.html'), 'utf8');
export const contract = JSON.parse(contractJson) as OpenAPIV3.DocumentV3;


cacheRouteMatchers();

export type AppConfig = Pick<Config, 'bodyLimitBytes' | 'tokenTtlSeconds' | 'validateResponses'>;

/** The validator options the server uses; the example test reuses them. */
export function validatorOptions(config: Pick<Config, 'validateResponses'>, security: ReturnType<typeof securityHandlers>) {
  return {
    apiSpec: structuredClone(contract),
    validateRequests: { allowUnknownQueryParameters: false },
    validateResponses: config.validateResponses,
    validateSecurity: { handlers: security },
    ignoreUndocumented: false,
  };
}

export interface AppParts {
  db: Database;
  cardVault: CardVault;
  logger: Logger;
  config: AppConfig;
  /** Replaces handlers (tests plant faulty ones); defaults to the real ones. */
  handlers?: Handlers<HandlerContext>;
}

export function createApp({ db, cardVault, logger, config, handlers = defaultHandlers }: AppParts): Express {
  const rawRoutes: RawRoutes = {
    createToken: tokenEndpoint(db, config.tokenTtlSeconds),
    revokeToken: revocationEndpoint(db),
    introspectToken: introspectionEndpoint(db),
    getOpenApiJson: (_req, res) => void res.type('application/json').send(contractJson),
    getOpenApiYaml: (_req, res) => void res.type('application/yaml').send(contractYaml),
    getDocs: (_req, res) => void res.type('text/html').send(docsPage),
  };
  checkHandlerKeys(handlers, rawRoutes);

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(requestContext(logger));
  app.use(express.json({ limit: config.bodyLimitBytes, type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ extended: false, limit: config.bodyLimitBytes, parameterLimit: 50 }));
  mountRawRoutes(app, rawRoutes, true);
  app.use(OpenApiValidator.middleware(validatorOptions(config, securityHandlers(db))));
  mountRawRoutes(app, rawRoutes, false);
  mountEnvelopeRoutes(app, handlers, (req): HandlerContext => ({ requestId: req.requestId, db, principal: req.principal, cardVault }));
  app.use(errorMapper());
  return app;
}
