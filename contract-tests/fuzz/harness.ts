/**
 * The fuzz harness: for one operation of the contract, valid requests (the spec's examples
 * first) must get a documented answer below 500; mutated requests a documented 400/413;
 * missing credentials 401 with WWW-Authenticate, a token without the scope 403, a wrong method
 * 405 with Allow. Every answer's status, content type and body (objects closed) must be
 * documented. Failures carry the shrunk request, replayable by hand.
 */
import fc from 'fast-check';
import { contractViolation, resolve, type Operation } from '../support/contract';
import { mutationsFor } from './mutations';
import { describeRequest, exampleRequests, send, validRequests, type Answer, type FuzzRequest } from './requests';

interface Credentials {
  /** A bearer token carrying every scope. */
  bearer: string;
  /** A bearer token carrying no scope. */
  scopeless: string;
  /** An HTTP Basic header of a partner allowed to use Basic. */
  basic: string;
}

export interface FuzzOptions {
  baseUrl: string;
  credentials: Credentials;
  /** Cases per property (FUZZ_RUNS). */
  runs: number;
  seed?: number;
}

export const fuzzRuns = () => Number(process.env.FUZZ_RUNS ?? 50);

function securityOf(target: Operation): { anonymous: boolean; oauth2: boolean; basic: boolean; scopes: string[] } {
  const requirements = (target.operation.security ?? []) as Record<string, string[]>[];
  return {
    anonymous: requirements.length === 0 || requirements.some((requirement) => Object.keys(requirement).length === 0),
    oauth2: requirements.some((requirement) => 'oauth2' in requirement),
    basic: requirements.some((requirement) => 'basicAuth' in requirement),
    scopes: requirements.flatMap((requirement) => requirement.oauth2 ?? []),
  };
}

/** Credentials that satisfy the operation's security, for valid requests. */
function authHeaders(target: Operation, credentials: Credentials): Record<string, string> {
  const security = securityOf(target);
  if (security.oauth2) return { authorization: `Bearer ${credentials.bearer}` };
  if (security.basic) return { authorization: credentials.basic };
  return {};
}

/** Why the answer is not documented, or null. */
function answerViolation(target: Operation, answer: Answer): string | null {
  if (!answer.headers.get('x-request-id')) return 'no X-Request-Id header';
  const documented = target.operation.responses[String(answer.status)] ?? target.operation.responses.default;
  if (!documented) return `status ${answer.status} is not documented`;
  const content = (resolve(documented).content ?? {}) as Record<string, unknown>;
  const mediaType = answer.contentType.split(';')[0].trim();
  if (Object.keys(content).length === 0) return answer.text === '' ? null : `status ${answer.status} documents no body`;
  if (!(mediaType in content)) return `content type ${mediaType || '(none)'} is not documented for ${answer.status}`;
  if (mediaType !== 'application/json') return null;
  if (answer.body === undefined) return 'the body is not JSON';
  return contractViolation(target.operationId, answer.status, answer.body);
}

function fail(message: string, options: FuzzOptions, target: Operation, request: FuzzRequest, answer: Answer): never {
  throw new Error(`${message}\n  request: ${describeRequest(options.baseUrl, target, request)}\n  answer:  ${answer.status} ${answer.text.slice(0, 500)}`);
}

/** Valid requests are answered below 500 with a documented answer. */
export async function checkValidRequests(target: Operation, options: FuzzOptions): Promise<void> {
  const auth = authHeaders(target, options.credentials);
  await fc.assert(
    fc.asyncProperty(validRequests(target), async (request) => {
      const answer = await send(options.baseUrl, target, request, auth);
      if (answer.status >= 500) fail(`a valid request got ${answer.status}`, options, target, request, answer);
      const violation = answerViolation(target, answer);
      if (violation) fail(violation, options, target, request, answer);
    }),
    { numRuns: options.runs, seed: options.seed, includeErrorInReport: true, examples: exampleRequests(target).map((request) => [request]) },
  );
}

/** Each mutation of a valid request is refused with the documented 400 (or 413) envelope. */
export async function checkMutatedRequests(target: Operation, options: FuzzOptions): Promise<void> {
  const mutations = mutationsFor(target);
  if (mutations.length === 0) return;
  const auth = authHeaders(target, options.credentials);
  const mutated = fc.tuple(validRequests(target), fc.constantFrom(...mutations), fc.nat()).map(([request, mutation, pick]) => ({
    kind: mutation.kind,
    expected: mutation.expected,
    request: mutation.apply(request, pick),
  }));
  await fc.assert(
    fc.asyncProperty(mutated, async ({ kind, expected, request }) => {
      const answer = await send(options.baseUrl, target, request, auth);
      if (!expected.includes(answer.status)) fail(`${kind}: expected ${expected.join(' or ')}, got ${answer.status}`, options, target, request, answer);
      const violation = answerViolation(target, answer);
      if (violation) fail(`${kind}: ${violation}`, options, target, request, answer);
      if ((answer.body as { success?: unknown }).success !== false) fail(`${kind}: an error answer without success: false`, options, target, request, answer);
    }),
    { numRuns: options.runs, seed: options.seed, includeErrorInReport: true },
  );
}

/** No credential: 401 with WWW-Authenticate; a token without the scope: 403. */
export async function checkSecurity(target: Operation, options: FuzzOptions): Promise<void> {
  const security = securityOf(target);
  if (security.anonymous) return;
  const [request] = exampleRequests(target);
  const anonymous = await send(options.baseUrl, target, request);
  if (anonymous.status !== 401 || !anonymous.headers.get('www-authenticate'))
    fail('no credential: expected 401 with WWW-Authenticate', options, target, request, anonymous);
  const violation = answerViolation(target, anonymous);
  if (violation) fail(violation, options, target, request, anonymous);
  if (security.scopes.length === 0) return;
  const scopeless = await send(options.baseUrl, target, request, { authorization: `Bearer ${options.credentials.scopeless}` });
  if (scopeless.status !== 403) fail('a token without the scope: expected 403', options, target, request, scopeless);
  const forbidden = answerViolation(target, scopeless);
  if (forbidden) fail(forbidden, options, target, request, scopeless);
}

/** A method the path does not define: 405 with an Allow header listing the defined ones (and HEAD wherever GET is). */
export async function checkWrongMethod(target: Operation, options: FuzzOptions, definedMethods: string[]): Promise<void> {
  const method = ['DELETE', 'PATCH', 'PUT', 'POST', 'GET'].find((candidate) => !definedMethods.includes(candidate.toLowerCase()));
  if (!method) return;
  const request: FuzzRequest = { method, path: {}, query: {}, headers: {} };
  const answer = await send(options.baseUrl, target, request, authHeaders(target, options.credentials));
  const allow = (answer.headers.get('allow') ?? '')
    .split(/,\s*/)
    .map((item) => item.toLowerCase())
    .sort();
  const expected = definedMethods.includes('get') ? [...definedMethods, 'head'] : [...definedMethods];
  if (answer.status !== 405 || allow.join() !== expected.sort().join()) {
    fail(`a wrong method: expected 405 with Allow: ${expected.join(', ').toUpperCase()}`, options, target, request, answer);
  }
}
