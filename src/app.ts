/** Assembles the express app: context, parsers, raw routes, validator, handlers, error mapper. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import pathToRegexpModule = require('path-to-regexp');
import type { OpenAPIV3 } from 'express-openapi-validator/dist/framework/types';
import { tokenEndpoint } from './auth/token-endpoint';
import { introspectionEndpoint, revocationEndpoint } from './auth/token-lifecycle';
import type { Config } from './config';
import type { Database } from './db/database';
import type { CardVault } from './domain/cards/card-numbers';
import { handlers as defaultHandlers } from './handlers';
import type { HandlerContext } from './handlers/context';
import { errorMapper } from './http/error-mapper';
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

/**
 * express-openapi-validator 5.6 finds a request's operation by compiling the path pattern of
 * every route of the contract, on every request, until one matches (upstream:
 * cdimascio/express-openapi-validator#1217). The profile of `npm run bench` showed it as the
 * largest single cost of GET /partner/v1/me (about 15% of the server's CPU with six routes, and
 * it grows with every route added). Compiling is a pure function of the pattern and options, so
 * the results are kept and reused; the validator only reads them (a RegExp without the g or y
 * flag, and the parameter keys). Express's own router does not call this function.
 */
function cacheRouteMatchers(): void {
  type PathToRegexp = typeof pathToRegexpModule.pathToRegexp & { cached?: true };
  const compile = pathToRegexpModule.pathToRegexp as PathToRegexp;
  if (compile.cached) return;
  // pattern -> results by option variant; keyed by the pattern string itself (the validator
  // passes the same strings every time, so the lookup costs no string building or hashing).
  const compiled = new Map<string, ReturnType<PathToRegexp>[]>();
  const cached: PathToRegexp = (path, options = {}) => {
    // Kept: string patterns with the boolean options of path-to-regexp 8 (the validator passes
    // sensitive, and strict, which version 8 ignores). Anything else is compiled every time.
    if (typeof path !== 'string' || options.delimiter !== undefined || options.encodePath !== undefined) return compile(path, options);
    const variant = (options.sensitive ? 1 : 0) + (options.end === false ? 2 : 0) + (options.trailing === false ? 4 : 0);
    let variants = compiled.get(path);
    if (!variants) {
      variants = [];
      if (compiled.size < 10_000) compiled.set(path, variants); // patterns come from the contract: a few hundred at most
    }
    return (variants[variant] ??= compile(path, options));
  };
  cached.cached = true;
  pathToRegexpModule.pathToRegexp = cached;
}
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
