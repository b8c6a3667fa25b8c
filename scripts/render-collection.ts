/**
 * Renders generated/collection/: a Postman collection (v2.1, which Postman, Newman, Bruno and
 * Insomnia import) of every operation of the bundled contract, and an environment per server.
 *
 * - Authentication is set once: a collection pre-request script gets a client-credentials token
 *   from `/oauth/token` with the environment's `clientId` and `clientSecret` (HTTP Basic) and
 *   keeps it until a minute before it expires; operations that take none send none.
 * - The first folder, "Partner quick start", is a journey that runs on the demo data (`npm start`):
 *   each step saves what the next one needs and checks its answer.
 * - Every other request is an operation with its documented examples, and checks that the
 *   status it gets is one the operation documents.
 */
import { JOURNEY, type JourneyStep } from './collection-journey';
import { followRef } from './contract-ref';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking an arbitrary OpenAPI document

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

interface Operation {
  operationId: string;
  method: string;
  path: string;
  operation: Json;
}

/** The collection's pre-request script: a token for the environment's client, kept until it nearly expires. */
const TOKEN_SCRIPT = [
  "const clientId = pm.variables.get('clientId');",
  "const clientSecret = pm.variables.get('clientSecret');",
  "const expiresAt = Number(pm.collectionVariables.get('accessTokenExpiresAt') || 0);",
  "if (clientId && clientSecret && (!pm.collectionVariables.get('accessToken') || Date.now() > expiresAt)) {",
  '  const basic = CryptoJS.enc.Base64.stringify(CryptoJS.enc.Utf8.parse(`${clientId}:${clientSecret}`));',
  '  pm.sendRequest(',
  '    {',
  "      url: pm.variables.get('baseUrl') + '/oauth/token',",
  "      method: 'POST',",
  "      header: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },",
  "      body: { mode: 'urlencoded', urlencoded: [{ key: 'grant_type', value: 'client_credentials' }] },",
  '    },',
  '    (error, response) => {',
  '      if (error || response.code !== 200) throw new Error(`no token from /oauth/token: ${error || response.text()}`);',
  '      const token = response.json();',
  "      pm.collectionVariables.set('accessToken', token.access_token);",
  "      pm.collectionVariables.set('accessTokenExpiresAt', String(Date.now() + (token.expires_in - 60) * 1000));",
  '    },',
  '  );',
  '}',
];

function contractOperations(document: Json): Operation[] {
  return Object.entries(document.paths as Json).flatMap(([path, item]) =>
    METHODS.filter((method) => (item as Json)[method]).map((method) => {
      const operation = (item as Json)[method] as Json;
      return { operationId: operation.operationId as string, method, path, operation };
    }),
  );
}

function resolver(document: Json): (node: Json) => Json {
  return (node) => followRef(document, node);
}

/** The first documented example of a parameter or media type. */
function firstExample(node: Json, resolve: (node: Json) => Json): unknown {
  if (node.example !== undefined) return node.example;
  const examples = Object.values((node.examples ?? {}) as Json);
  if (examples.length > 0) return resolve(examples[0] as Json).value;
  return node.schema ? resolve(node.schema as Json).example : undefined;
}

/** How a request authenticates: the collection's bearer token, the client's Basic credentials, or nothing. */
function authOf(operation: Json, document: Json): Json | undefined {
  const requirements = (operation.security ?? document.security ?? []) as Json[];
  const schemes = requirements.flatMap((requirement) => Object.keys(requirement));
  if (schemes.includes('oauth2')) return undefined; // inherits the collection's bearer
  if (schemes.includes('basicAuth')) {
    return {
      type: 'basic',
      basic: [
        { key: 'username', value: '{{clientId}}', type: 'string' },
        { key: 'password', value: '{{clientSecret}}', type: 'string' },
      ],
    };
  }
  return { type: 'noauth' };
}

interface RequestParts {
  path?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
}

function request(target: Operation, document: Json, parts: RequestParts = {}): Json {
  const resolve = resolver(document);
  const parameters = ((target.operation.parameters ?? []) as Json[]).map(resolve);
  const value = (parameter: Json, given: Record<string, string> | undefined) => given?.[parameter.name] ?? String(firstExample(parameter, resolve) ?? '');
  const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
  const segments = target.path
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replace(/^\{(.+)\}$/, ':$1'));
  const query = parameters
    .filter((parameter) => parameter.in === 'query' && (parameter.required || parts.query?.[parameter.name] !== undefined))
    .map((parameter) => ({ key: parameter.name as string, value: value(parameter, parts.query) }));
  const headers = parameters
    .filter((parameter) => parameter.in === 'header')
    .map((parameter) => ({
      key: parameter.name as string,
      value: parts.headers?.[parameter.name] ?? (parameter.name.toLowerCase() === 'idempotency-key' ? '{{$guid}}' : value(parameter, undefined)),
    }));
  const url: Json = {
    raw: `{{baseUrl}}/${segments.join('/')}${query.length > 0 ? `?${query.map(({ key, value }) => `${key}=${value}`).join('&')}` : ''}`,
    host: ['{{baseUrl}}'],
    path: segments,
  };
  if (query.length > 0) url.query = query;
  if (pathParameters.length > 0) url.variable = pathParameters.map((parameter) => ({ key: parameter.name as string, value: value(parameter, parts.path) }));
  const built: Json = { method: target.method.toUpperCase(), header: [{ key: 'Accept', value: 'application/json' }, ...headers], url };
  const content = resolve((target.operation.requestBody ?? {}) as Json).content as Json | undefined;
  if (content) {
    const [mediaType, media] = Object.entries(content)[0] as [string, Json];
    const example = parts.body ?? firstExample(media, resolve) ?? {};
    built.header.push({ key: 'Content-Type', value: mediaType });
    built.body =
      mediaType === 'application/x-www-form-urlencoded'
        ? { mode: 'urlencoded', urlencoded: Object.entries(example as Json).map(([key, field]) => ({ key, value: String(field) })) }
        : { mode: 'raw', raw: JSON.stringify(example, null, 2), options: { raw: { language: 'json' } } };
  }
  const auth = authOf(target.operation, document);
  if (auth) built.auth = auth;
  if (target.operation.description) built.description = target.operation.description;
  return built;
}

function testEvent(lines: string[]): Json {
  return { listen: 'test', script: { type: 'text/javascript', exec: lines } };
}

function referenceItem(target: Operation, document: Json): Json {
  const statuses = Object.keys(target.operation.responses as Json)
    .filter((status) => /^\d{3}$/.test(status))
    .map(Number);
  return {
    name: (target.operation.summary as string | undefined) ?? target.operationId,
    request: request(target, document),
    event: [
      testEvent([
        `pm.test(${JSON.stringify(`answers a status ${target.operationId} documents`)}, () => pm.expect(${JSON.stringify(statuses)}).to.include(pm.response.code));`,
      ]),
    ],
  };
}

function journeyItem(step: JourneyStep, byId: Map<string, Operation>, document: Json): Json {
  const target = byId.get(step.operationId);
  if (!target) throw new Error(`collection journey: no operation ${step.operationId} in the contract`);
  const checks = [
    `pm.test(${JSON.stringify(`${step.name}: ${step.status}`)}, () => pm.response.to.have.status(${step.status}));`,
    ...Object.entries(step.save ?? {}).map(([variable, expression]) => `pm.collectionVariables.set('${variable}', ${expression});`),
    ...(step.checks ?? []),
  ];
  const event = [testEvent(checks)];
  if (step.prepare) event.unshift({ listen: 'prerequest', script: { type: 'text/javascript', exec: step.prepare } });
  return { name: step.name, request: request(target, document, step), event };
}

/** The Postman collection of the contract. */
export function renderCollection(document: Json): Json {
  const operations = contractOperations(document);
  const byId = new Map(operations.map((target) => [target.operationId, target]));
  const info = document.info as Json;
  const folders = ((document.tags ?? []) as Json[]).map((tag) => ({
    name: tag.name as string,
    description: tag.description as string | undefined,
    item: operations.filter((target) => ((target.operation.tags ?? []) as string[])[0] === tag.name).map((target) => referenceItem(target, document)),
  }));
  const untagged = operations.filter((target) => !folders.some((folder) => folder.name === ((target.operation.tags ?? []) as string[])[0]));
  if (untagged.length > 0) throw new Error(`collection: operations without a declared tag: ${untagged.map((target) => target.operationId).join(', ')}`);
  return {
    info: {
      name: `${info.title as string} ${info.version as string}`,
      description:
        'Every operation of the CYNOD API with its documented examples. Choose an environment, set `clientId` and `clientSecret` ' +
        '(on the demo: `.data/demo-credentials.json`), and the collection gets its own token. Run "Partner quick start" on the demo ' +
        'data (set `cardNumber` too): each step saves what the next one needs.',
      schema: SCHEMA,
    },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{accessToken}}', type: 'string' }] },
    event: [{ listen: 'prerequest', script: { type: 'text/javascript', exec: TOKEN_SCRIPT } }],
    variable: [
      { key: 'accessToken', value: '' },
      { key: 'accessTokenExpiresAt', value: '0' },
    ],
    item: [{ name: 'Partner quick start', description: JOURNEY.description, item: JOURNEY.steps.map((step) => journeyItem(step, byId, document)) }, ...folders],
  };
}

/** One environment per server of the contract: `{ file name: environment }`. */
export function renderEnvironments(document: Json): Record<string, Json> {
  return Object.fromEntries(
    ((document.servers ?? []) as Json[]).map((server) => {
      const url = new URL(server.url as string);
      const name = url.hostname === '127.0.0.1' || url.hostname === 'localhost' ? 'local' : url.hostname;
      return [
        `${name}.postman_environment.json`,
        {
          name: `CYNOD ${server.description as string}`,
          values: [
            { key: 'baseUrl', value: server.url as string, type: 'default', enabled: true },
            { key: 'clientId', value: '', type: 'default', enabled: true },
            { key: 'clientSecret', value: '', type: 'secret', enabled: true },
            { key: 'cardNumber', value: '', type: 'secret', enabled: true },
          ],
          _postman_variable_scope: 'environment',
        },
      ];
    }),
  );
}
