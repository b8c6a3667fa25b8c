// Generated from spec/ by `npm run generate`. Do not edit.
import type { operations } from './schema';

/** Every operation of the contract: method, path (OpenAPI and express forms), security and scopes. */
export const operationTable = {
  createToken: {
    operationId: "createToken",
    method: "post",
    path: "/oauth/token",
    expressPath: "/oauth/token",
    security: [{"basicAuth":[]},{}],
    scopes: [],
    envelope: false,
  },
  getHealth: {
    operationId: "getHealth",
    method: "get",
    path: "/health",
    expressPath: "/health",
    security: [],
    scopes: [],
    envelope: true,
  },
  getOpenApiJson: {
    operationId: "getOpenApiJson",
    method: "get",
    path: "/openapi.json",
    expressPath: "/openapi.json",
    security: [],
    scopes: [],
    envelope: false,
  },
  getOpenApiYaml: {
    operationId: "getOpenApiYaml",
    method: "get",
    path: "/openapi.yaml",
    expressPath: "/openapi.yaml",
    security: [],
    scopes: [],
    envelope: false,
  },
  getPartnerMe: {
    operationId: "getPartnerMe",
    method: "get",
    path: "/partner/v1/me",
    expressPath: "/partner/v1/me",
    security: [{"oauth2":["partner:profile.read"]},{"basicAuth":[]}],
    scopes: ["partner:profile.read"],
    envelope: true,
  },
  getReady: {
    operationId: "getReady",
    method: "get",
    path: "/ready",
    expressPath: "/ready",
    security: [],
    scopes: [],
    envelope: true,
  },
} as const;

export type OperationId = keyof typeof operationTable;

/** Operations answered with the success envelope: a handler returns their `data`. */
export type EnvelopeOperationId = "getHealth" | "getPartnerMe" | "getReady";

/** Operations with their own answer format (OAuth, the published contract), served by dedicated routes. */
export type RawOperationId = "createToken" | "getOpenApiJson" | "getOpenApiYaml";

/** The OAuth2 scopes the contract defines, with their descriptions. */
export const oauthScopes = {
  "partner:profile.read": "Read the calling partner's own profile (who am I)."
} as const;

export type Scope = keyof typeof oauthScopes;

type Parameters<Op extends keyof operations> = operations[Op] extends { parameters: infer P } ? P : never;
type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

/** The `data` of an operation's success envelope. */
export type OperationData<Op extends EnvelopeOperationId> = JsonOf<operations[Op]['responses'][200]> extends { data: infer Data } ? Data : never;

/** What a handler receives, already validated against the contract. */
export interface OperationInput<Op extends EnvelopeOperationId> {
  path: Parameters<Op> extends { path?: infer P } ? P : never;
  query: Parameters<Op> extends { query?: infer Q } ? Q : never;
  body: operations[Op] extends { requestBody?: infer B } ? JsonOf<B> : never;
}

/** One handler per envelope operation: a missing or mistyped handler is a compile error. */
export type Handlers<Context> = {
  [Op in EnvelopeOperationId]: (context: Context, input: OperationInput<Op>) => Promise<OperationData<Op>>;
};
