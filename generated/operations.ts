// Generated from spec/ by `npm run generate`. Do not edit.
import type { operations } from './schema';

/** Every operation of the contract: method, path (OpenAPI and express forms), security and scopes. */
export const operationTable = {
  activateClient: {
    operationId: "activateClient",
    method: "post",
    path: "/core/v1/clients/{clientId}/activate",
    expressPath: "/core/v1/clients/:clientId/activate",
    security: [{"oauth2":["core:clients.write"]}],
    scopes: ["core:clients.write"],
    envelope: true,
  },
  createClient: {
    operationId: "createClient",
    method: "post",
    path: "/core/v1/clients",
    expressPath: "/core/v1/clients",
    security: [{"oauth2":["core:clients.write"]}],
    scopes: ["core:clients.write"],
    envelope: true,
  },
  createEnergyPrice: {
    operationId: "createEnergyPrice",
    method: "post",
    path: "/core/v1/energy-types/{energyTypeCode}/prices",
    expressPath: "/core/v1/energy-types/:energyTypeCode/prices",
    security: [{"oauth2":["core:energy-types.write"]}],
    scopes: ["core:energy-types.write"],
    envelope: true,
  },
  createEnergyType: {
    operationId: "createEnergyType",
    method: "post",
    path: "/core/v1/energy-types",
    expressPath: "/core/v1/energy-types",
    security: [{"oauth2":["core:energy-types.write"]}],
    scopes: ["core:energy-types.write"],
    envelope: true,
  },
  createNetwork: {
    operationId: "createNetwork",
    method: "post",
    path: "/core/v1/networks",
    expressPath: "/core/v1/networks",
    security: [{"oauth2":["core:networks.write"]}],
    scopes: ["core:networks.write"],
    envelope: true,
  },
  createToken: {
    operationId: "createToken",
    method: "post",
    path: "/oauth/token",
    expressPath: "/oauth/token",
    security: [{"basicAuth":[]},{}],
    scopes: [],
    envelope: false,
  },
  createUnit: {
    operationId: "createUnit",
    method: "post",
    path: "/core/v1/units",
    expressPath: "/core/v1/units",
    security: [{"oauth2":["core:units.write"]}],
    scopes: ["core:units.write"],
    envelope: true,
  },
  deactivateClient: {
    operationId: "deactivateClient",
    method: "post",
    path: "/core/v1/clients/{clientId}/deactivate",
    expressPath: "/core/v1/clients/:clientId/deactivate",
    security: [{"oauth2":["core:clients.write"]}],
    scopes: ["core:clients.write"],
    envelope: true,
  },
  getClient: {
    operationId: "getClient",
    method: "get",
    path: "/core/v1/clients/{clientId}",
    expressPath: "/core/v1/clients/:clientId",
    security: [{"oauth2":["core:clients.read"]}],
    scopes: ["core:clients.read"],
    envelope: true,
  },
  getEnergyPriceInForce: {
    operationId: "getEnergyPriceInForce",
    method: "get",
    path: "/core/v1/energy-types/{energyTypeCode}/price-in-force",
    expressPath: "/core/v1/energy-types/:energyTypeCode/price-in-force",
    security: [{"oauth2":["core:energy-types.read"]}],
    scopes: ["core:energy-types.read"],
    envelope: true,
  },
  getEnergyType: {
    operationId: "getEnergyType",
    method: "get",
    path: "/core/v1/energy-types/{energyTypeCode}",
    expressPath: "/core/v1/energy-types/:energyTypeCode",
    security: [{"oauth2":["core:energy-types.read"]}],
    scopes: ["core:energy-types.read"],
    envelope: true,
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
  getNetwork: {
    operationId: "getNetwork",
    method: "get",
    path: "/core/v1/networks/{networkId}",
    expressPath: "/core/v1/networks/:networkId",
    security: [{"oauth2":["core:networks.read"]}],
    scopes: ["core:networks.read"],
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
  getUnit: {
    operationId: "getUnit",
    method: "get",
    path: "/core/v1/units/{unitCode}",
    expressPath: "/core/v1/units/:unitCode",
    security: [{"oauth2":["core:units.read"]}],
    scopes: ["core:units.read"],
    envelope: true,
  },
  listAuditEvents: {
    operationId: "listAuditEvents",
    method: "get",
    path: "/core/v1/audit-events",
    expressPath: "/core/v1/audit-events",
    security: [{"oauth2":["core:audit.read"]}],
    scopes: ["core:audit.read"],
    envelope: true,
  },
  listClients: {
    operationId: "listClients",
    method: "get",
    path: "/core/v1/clients",
    expressPath: "/core/v1/clients",
    security: [{"oauth2":["core:clients.read"]}],
    scopes: ["core:clients.read"],
    envelope: true,
  },
  listEnergyPrices: {
    operationId: "listEnergyPrices",
    method: "get",
    path: "/core/v1/energy-types/{energyTypeCode}/prices",
    expressPath: "/core/v1/energy-types/:energyTypeCode/prices",
    security: [{"oauth2":["core:energy-types.read"]}],
    scopes: ["core:energy-types.read"],
    envelope: true,
  },
  listEnergyTypes: {
    operationId: "listEnergyTypes",
    method: "get",
    path: "/core/v1/energy-types",
    expressPath: "/core/v1/energy-types",
    security: [{"oauth2":["core:energy-types.read"]}],
    scopes: ["core:energy-types.read"],
    envelope: true,
  },
  listNetworks: {
    operationId: "listNetworks",
    method: "get",
    path: "/core/v1/networks",
    expressPath: "/core/v1/networks",
    security: [{"oauth2":["core:networks.read"]}],
    scopes: ["core:networks.read"],
    envelope: true,
  },
  listUnits: {
    operationId: "listUnits",
    method: "get",
    path: "/core/v1/units",
    expressPath: "/core/v1/units",
    security: [{"oauth2":["core:units.read"]}],
    scopes: ["core:units.read"],
    envelope: true,
  },
  updateClient: {
    operationId: "updateClient",
    method: "patch",
    path: "/core/v1/clients/{clientId}",
    expressPath: "/core/v1/clients/:clientId",
    security: [{"oauth2":["core:clients.write"]}],
    scopes: ["core:clients.write"],
    envelope: true,
  },
  updateNetwork: {
    operationId: "updateNetwork",
    method: "patch",
    path: "/core/v1/networks/{networkId}",
    expressPath: "/core/v1/networks/:networkId",
    security: [{"oauth2":["core:networks.write"]}],
    scopes: ["core:networks.write"],
    envelope: true,
  },
} as const;

export type OperationId = keyof typeof operationTable;

/** Operations answered with the success envelope: a handler returns their `data`. */
export type EnvelopeOperationId = "activateClient" | "createClient" | "createEnergyPrice" | "createEnergyType" | "createNetwork" | "createUnit" | "deactivateClient" | "getClient" | "getEnergyPriceInForce" | "getEnergyType" | "getHealth" | "getNetwork" | "getPartnerMe" | "getReady" | "getUnit" | "listAuditEvents" | "listClients" | "listEnergyPrices" | "listEnergyTypes" | "listNetworks" | "listUnits" | "updateClient" | "updateNetwork";

/** Operations with their own answer format (OAuth, the published contract), served by dedicated routes. */
export type RawOperationId = "createToken" | "getOpenApiJson" | "getOpenApiYaml";

/** The OAuth2 scopes the contract defines, with their descriptions. */
export const oauthScopes = {
  "partner:profile.read": "Read the calling partner's own profile (who am I).",
  "core:networks.read": "Core API: read networks.",
  "core:networks.write": "Core API: create and update networks.",
  "core:clients.read": "Core API: read clients.",
  "core:clients.write": "Core API: create, update, activate and deactivate clients.",
  "core:units.read": "Core API: read units.",
  "core:units.write": "Core API: create units.",
  "core:energy-types.read": "Core API: read energy types and their prices.",
  "core:energy-types.write": "Core API: create energy types and add prices.",
  "core:audit.read": "Core API: read the audit trail."
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
