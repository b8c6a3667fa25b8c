/**
 * Security handlers for express-openapi-validator, one per scheme of the contract. The
 * validator keeps only a status from a failing handler, so each handler records its precise
 * AppError on the request; the error mapper answers with it.
 */
import type { Request } from 'express';
import { operationTable, type OperationId } from '../../generated/operations';
import { basicCredential, verifyAccessToken } from './identity';
import { isBasicScheme, parseBasic } from './basic';
import type { ClientGuard } from './client-guard';
import { basicChallenge, bearerChallenge } from './challenges';
import { addressAllowed } from '../domain/ip-ranges';
import { ipNotAllowed } from './ip-allow-list';
import { checkTokenCertificate } from './client-certificates';
import type { Credential } from './credential';
import { AppError } from '../domain/app-error';
import { clientAddressOf, operationIdOf } from '../request/request';
import { languageOf } from '../request/language';
import { operatorActor } from '../domain/actor';
import { activeOperatorBySubject } from '../domain/operators/operators';
import { checkOperatorAuthority, type OperatorOperation } from '../domain/operators/authority';
import { OPERATOR_PLACINGS } from './operator-places';
import { looksLikeJwt, type OperatorTokenVerifier } from './operator-tokens';

const failures = new WeakMap<Request, unknown>();

/** The error a security handler recorded for this request, if any. */
export const authFailureOf = (req: Request): unknown => failures.get(req);

async function recording(req: Request, check: () => Promise<boolean>): Promise<boolean> {
  try {
    const passed = await check();
    if (passed) failures.delete(req);
    return passed;
  } catch (error) {
    if (!failures.has(req)) failures.set(req, error);
    throw error;
  }
}

function requireScopes(credential: Credential, required: readonly string[]): void {
  const missing = required.filter((scope) => !credential.scopes.includes(scope));
  if (missing.length === 0) return;
  throw new AppError('INSUFFICIENT_SCOPE', `This operation requires the scope ${required.join(' ')}`, {
    headers:
      credential.method === 'bearer'
        ? { 'WWW-Authenticate': bearerChallenge('insufficient_scope', 'The access token lacks a required scope', required.join(' ')) }
        : {},
  });
}

/** The OAuth2 scopes the request's operation requires (Basic callers need them too). */
function scopesOfOperation(req: Request): readonly string[] {
  const operationId = operationIdOf(req);
  return operationId && operationId in operationTable ? operationTable[operationId as OperationId].scopes : [];
}

/** What an operator needs for a Core operation: its right, whether it keeps its answer within a scope, the recent strong authentication it demands (x-operator-step-up). */
type OperatorCall = OperatorOperation & { stepUpMaxAgeSeconds: number | null };

/** What an operator needs for the request's operation (Core operations only), or null. */
function operatorOperationOf(req: Request): OperatorCall | null {
  const operationId = operationIdOf(req);
  if (!operationId || !(operationId in operationTable)) return null;
  const operation = operationTable[operationId as OperationId];
  return operation.operatorRight === null
    ? null
    : { right: operation.operatorRight, scoped: operation.operatorScoped, stepUpMaxAgeSeconds: operation.operatorStepUp?.maxAgeSeconds ?? null };
}

/** The path parameters the validator matched. */
const pathParametersOf = (req: Request): Record<string, string> => (req as { openapi?: { pathParams?: Record<string, string> } }).openapi?.pathParams ?? {};

/**
 * An operator token on a Core operation: the person it names must be an enrolled, active
 * operator holding the operation's right over what the operation acts on; a narrower scope
 * than the issuer goes on the actor, for the lists to keep within. Rate limits count per
 * operator.
 */
async function authenticateOperator(req: Request, guard: ClientGuard, verifier: OperatorTokenVerifier, token: string, operation: OperatorCall): Promise<void> {
  const claims = await verifier.verify(token);
  const operator = await activeOperatorBySubject(guard.db, claims.issuer, claims.subject);
  if (!operator) throw new AppError('OPERATOR_NOT_ENROLLED', 'The operator token names no enrolled, active operator');
  await guard.consume('api', operator.id);
  const actor = operatorActor(operator, { requestId: req.requestId, address: clientAddressOf(req), language: languageOf(req) });
  const scopeOfAuthority = await checkOperatorAuthority(guard.db, actor, operator, operation, pathParametersOf(req), OPERATOR_PLACINGS);
  if (operation.stepUpMaxAgeSeconds !== null) verifier.checkStepUp(claims, operation.stepUpMaxAgeSeconds);
  req.operator = scopeOfAuthority === undefined ? actor : { ...actor, scopeOfAuthority };
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Every answer to a Basic call says that bearer tokens are preferred (see the AuthAdvice header). */
function adviseBearer(req: Request): void {
  if (isBasicScheme(req.headers.authorization)) req.res?.setHeader('Cynod-Auth-Advice', 'bearer-preferred');
}

/** Every authenticated resource call counts against the partner's per-minute limit. */
export function securityHandlers(guard: ClientGuard, operatorTokens: OperatorTokenVerifier | null = null) {
  return {
    oauth2: (req: Request, scopes: string[]) =>
      recording(req, async () => {
        const header = req.headers.authorization;
        if (isBasicScheme(header)) {
          adviseBearer(req);
          return false; // the basicAuth handler answers for Basic headers
        }
        const match = header ? BEARER.exec(header) : null;
        if (!match) {
          throw new AppError('AUTHENTICATION_REQUIRED', 'This operation requires a bearer access token (Authorization: Bearer <token>)', {
            headers: { 'WWW-Authenticate': header ? bearerChallenge('invalid_request', 'Malformed Authorization header') : bearerChallenge() },
          });
        }
        const operation = operatorOperationOf(req);
        if (operatorTokens && operation && looksLikeJwt(match[1])) {
          await authenticateOperator(req, guard, operatorTokens, match[1], operation);
          return true;
        }
        const credential = await verifyAccessToken(guard.db, match[1]);
        if (!addressAllowed(credential.allowedIps, req.ip)) throw ipNotAllowed(clientAddressOf(req), false);
        checkTokenCertificate(req, credential.certificates);
        await guard.consume('api', credential.partnerId);
        requireScopes(credential, scopes);
        req.credential = credential;
        return true;
      }),

    basicAuth: (req: Request) =>
      recording(req, async () => {
        // The validator also calls this handler when "basic" merely appears in the header.
        if (!isBasicScheme(req.headers.authorization)) return false;
        adviseBearer(req);
        const partner = await guard.authenticate(req, {
          credentials: parseBasic(req.headers.authorization),
          method: 'basic',
          oauth: false,
          failure: () => new AppError('CLIENT_AUTHENTICATION_FAILED', 'Client authentication failed', { headers: { 'WWW-Authenticate': basicChallenge() } }),
        });
        if (!partner.basicAllowed) {
          await guard.refused(req, partner, 'basic', 'basic-not-allowed');
          throw new AppError('BASIC_NOT_ALLOWED', 'HTTP Basic is not enabled for this partner; use a bearer token from /oauth/token');
        }
        const credential = basicCredential(partner);
        await guard.consume('api', partner.id);
        requireScopes(credential, scopesOfOperation(req));
        req.credential = credential;
        return true;
      }),
  };
}
