/**
 * spec:diff: each breaking rule on a small hand-made contract (envelopes built with allOf and
 * $ref, like the real one), additive changes that must not break, the gate CI runs (the
 * working tree against spec/published/openapi.json) and the repository's own contract.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffContracts, main, type Change } from './spec-diff';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- hand-made OpenAPI documents

const CARD = '#/paths/~1partner~1v1~1cards~1{cardId}/get';
const RECHARGE = '#/paths/~1partner~1v1~1recharges/post';
const HEALTH = '#/paths/~1health/get';
const CARD_200 = `${CARD}/responses/200/content/application~1json/schema`;
const RECHARGE_BODY = `${RECHARGE}/requestBody/content/application~1json/schema`;

function contract(): Json {
  const ok = (schema: string) => ({
    description: 'OK',
    headers: { 'X-Request-Id': { schema: { type: 'string' } } },
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
  });
  return {
    openapi: '3.0.3',
    info: { title: 'test', version: '1' },
    paths: {
      '/health': {
        get: { operationId: 'getHealth', security: [], responses: { '200': { description: 'up' } } },
      },
      '/partner/v1/cards/{cardId}': {
        parameters: [{ $ref: '#/components/parameters/CardId' }],
        get: {
          operationId: 'getCard',
          security: [{ oauth2: ['partner:cards.read'] }, { basicAuth: [] }],
          parameters: [{ name: 'fields', in: 'query', required: false, schema: { type: 'string' } }],
          responses: { '200': ok('CardResponse'), '404': { description: 'unknown card' } },
        },
      },
      '/partner/v1/recharges': {
        post: {
          operationId: 'createRecharge',
          security: [{ oauth2: ['partner:recharges.write'] }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RechargeRequest' } } } },
          responses: { '200': ok('CardResponse'), '400': { description: 'bad request' } },
        },
      },
    },
    components: {
      parameters: { CardId: { name: 'cardId', in: 'path', required: true, schema: { type: 'string' } } },
      schemas: {
        SuccessEnvelope: {
          type: 'object',
          required: ['success', 'code'],
          properties: { success: { type: 'boolean' }, code: { type: 'string', pattern: '^0[0-9]{3}$' } },
        },
        CardResponse: {
          allOf: [
            { $ref: '#/components/schemas/SuccessEnvelope' },
            { type: 'object', required: ['data'], properties: { data: { $ref: '#/components/schemas/Card' } } },
          ],
        },
        Card: {
          type: 'object',
          required: ['id', 'status', 'balance', 'updatedAt'],
          properties: {
            id: { type: 'string' },
            status: { type: 'string', enum: ['active', 'suspended'] },
            balance: { type: 'integer', format: 'int64' },
            updatedAt: { type: 'string', format: 'date-time' },
            nickname: { type: 'string' },
          },
        },
        RechargeRequest: {
          type: 'object',
          additionalProperties: false,
          required: ['cardId', 'amount'],
          properties: {
            cardId: { type: 'string', pattern: '^crd_' },
            amount: { type: 'integer', format: 'int64', minimum: 1, maximum: 1000000 },
            channel: { type: 'string', enum: ['ussd', 'app'] },
            note: { type: 'string', maxLength: 140 },
            reference: { type: 'string' },
          },
        },
      },
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          flows: {
            clientCredentials: { tokenUrl: '/oauth/token', scopes: { 'partner:cards.read': '', 'partner:recharges.write': '', 'partner:cards.admin': '' } },
          },
        },
        basicAuth: { type: 'http', scheme: 'basic' },
      },
    },
  };
}

/** A copy of the base contract changed by `edit`. */
function changed(edit: (doc: Json) => void): Json {
  const doc = contract();
  edit(doc);
  return doc;
}

const schemas = (doc: Json) => doc.components.schemas;
const card = (doc: Json) => schemas(doc).Card;
const recharge = (doc: Json) => schemas(doc).RechargeRequest;
const getCard = (doc: Json) => doc.paths['/partner/v1/cards/{cardId}'].get;
const createRecharge = (doc: Json) => doc.paths['/partner/v1/recharges'].post;

const summary = (changes: Change[]) => changes.map((change) => `${change.rule} ${change.operationId} ${change.location}`);

test('the base contract compared with itself has no change', () => {
  expect(diffContracts(contract(), contract())).toEqual({ breaking: [], warnings: [], info: [] });
});

describe('breaking changes', () => {
  const cases: [string, (doc: Json) => void, string, string, string][] = [
    ['operation removed', (doc) => delete doc.paths['/partner/v1/recharges'], 'operation-removed', 'createRecharge', RECHARGE],
    [
      'operationId renamed (SDK method)',
      (doc) => (createRecharge(doc).operationId = 'rechargeCard'),
      'operation-id-changed',
      'createRecharge',
      `${RECHARGE}/operationId`,
    ],
    ['response status removed', (doc) => delete getCard(doc).responses['404'], 'response-status-removed', 'getCard', `${CARD}/responses/404`],
    [
      'response media type removed',
      (doc) => (getCard(doc).responses['200'].content = { 'application/xml': {} }),
      'response-media-type-removed',
      'getCard',
      `${CARD}/responses/200/content/application~1json`,
    ],
    [
      'response header removed',
      (doc) => delete getCard(doc).responses['200'].headers,
      'response-header-removed',
      'getCard',
      `${CARD}/responses/200/headers/X-Request-Id`,
    ],
    [
      'response field removed (optional one, behind allOf and $ref)',
      (doc) => delete card(doc).properties.nickname,
      'response-field-removed',
      'getCard',
      `${CARD_200}/properties/data/properties/nickname`,
    ],
    [
      'response field removed from the envelope',
      (doc) => delete schemas(doc).SuccessEnvelope.properties.code,
      'response-field-removed',
      'getCard',
      `${CARD_200}/properties/code`,
    ],
    [
      'response field no longer required',
      (doc) => (card(doc).required = ['id', 'status', 'updatedAt']),
      'response-field-optional',
      'getCard',
      `${CARD_200}/properties/data/properties/balance`,
    ],
    [
      'response type changed',
      (doc) => (card(doc).properties.balance = { type: 'string' }),
      'type-changed',
      'getCard',
      `${CARD_200}/properties/data/properties/balance`,
    ],
    [
      'response value made nullable',
      (doc) => (card(doc).properties.id.nullable = true),
      'type-changed',
      'getCard',
      `${CARD_200}/properties/data/properties/id`,
    ],
    [
      'response format removed',
      (doc) => delete card(doc).properties.updatedAt.format,
      'format-changed',
      'getCard',
      `${CARD_200}/properties/data/properties/updatedAt/format`,
    ],
    [
      'response format widened (int64 to a number)',
      (doc) => (card(doc).properties.balance.format = 'double'),
      'format-changed',
      'getCard',
      `${CARD_200}/properties/data/properties/balance/format`,
    ],
    [
      'request type changed',
      (doc) => (recharge(doc).properties.amount = { type: 'string' }),
      'type-changed',
      'createRecharge',
      `${RECHARGE_BODY}/properties/amount`,
    ],
    [
      'request format narrowed (format added)',
      (doc) => (recharge(doc).properties.reference.format = 'uuid'),
      'format-changed',
      'createRecharge',
      `${RECHARGE_BODY}/properties/reference/format`,
    ],
    [
      'request format narrowed (int64 to int32)',
      (doc) => (recharge(doc).properties.amount.format = 'int32'),
      'format-changed',
      'createRecharge',
      `${RECHARGE_BODY}/properties/amount/format`,
    ],
    [
      'request parameter added as required',
      (doc) => getCard(doc).parameters.push({ name: 'X-Partner-Ref', in: 'header', required: true, schema: { type: 'string' } }),
      'parameter-added-required',
      'getCard',
      `${CARD}/parameters/header/X-Partner-Ref`,
    ],
    [
      'request parameter made required',
      (doc) => (getCard(doc).parameters[0].required = true),
      'parameter-made-required',
      'getCard',
      `${CARD}/parameters/query/fields`,
    ],
    [
      'query parameter removed (the server rejects unknown ones)',
      (doc) => (getCard(doc).parameters = []),
      'parameter-removed',
      'getCard',
      `${CARD}/parameters/query/fields`,
    ],
    [
      'request parameter type changed',
      (doc) => (getCard(doc).parameters[0].schema = { type: 'integer' }),
      'type-changed',
      'getCard',
      `${CARD}/parameters/query/fields/schema`,
    ],
    [
      'request body added as required',
      (doc) => (getCard(doc).requestBody = { required: true, content: { 'application/json': { schema: { type: 'object' } } } }),
      'request-body-added-required',
      'getCard',
      `${CARD}/requestBody`,
    ],
    [
      'request media type removed',
      (doc) => (createRecharge(doc).requestBody.content = { 'application/x-www-form-urlencoded': createRecharge(doc).requestBody.content['application/json'] }),
      'request-media-type-removed',
      'createRecharge',
      `${RECHARGE}/requestBody/content/application~1json`,
    ],
    [
      'request body field added as required',
      (doc) => {
        recharge(doc).properties.currency = { type: 'string' };
        recharge(doc).required.push('currency');
      },
      'request-field-added-required',
      'createRecharge',
      `${RECHARGE_BODY}/properties/currency`,
    ],
    [
      'request body field made required',
      (doc) => recharge(doc).required.push('channel'),
      'request-field-required',
      'createRecharge',
      `${RECHARGE_BODY}/properties/channel`,
    ],
    [
      'request field removed from a closed object',
      (doc) => delete recharge(doc).properties.note,
      'request-field-removed',
      'createRecharge',
      `${RECHARGE_BODY}/properties/note`,
    ],
    [
      'request enum value removed',
      (doc) => (recharge(doc).properties.channel.enum = ['app']),
      'request-enum-value-removed',
      'createRecharge',
      `${RECHARGE_BODY}/properties/channel/enum`,
    ],
    [
      'request value restricted to an enum',
      (doc) => (recharge(doc).properties.reference.enum = ['a', 'b']),
      'request-enum-added',
      'createRecharge',
      `${RECHARGE_BODY}/properties/reference/enum`,
    ],
    [
      'request pattern tightened',
      (doc) => (recharge(doc).properties.cardId.pattern = '^crd_[0-9a-f]{24}$'),
      'request-constraint-tightened',
      'createRecharge',
      `${RECHARGE_BODY}/properties/cardId/pattern`,
    ],
    [
      'request pattern added',
      (doc) => (recharge(doc).properties.reference.pattern = '^[A-Z]+$'),
      'request-constraint-tightened',
      'createRecharge',
      `${RECHARGE_BODY}/properties/reference/pattern`,
    ],
    [
      'request maxLength tightened',
      (doc) => (recharge(doc).properties.note.maxLength = 100),
      'request-constraint-tightened',
      'createRecharge',
      `${RECHARGE_BODY}/properties/note/maxLength`,
    ],
    [
      'request maxLength added',
      (doc) => (recharge(doc).properties.reference.maxLength = 64),
      'request-constraint-tightened',
      'createRecharge',
      `${RECHARGE_BODY}/properties/reference/maxLength`,
    ],
    [
      'request maximum tightened',
      (doc) => (recharge(doc).properties.amount.maximum = 500000),
      'request-constraint-tightened',
      'createRecharge',
      `${RECHARGE_BODY}/properties/amount/maximum`,
    ],
    [
      'request minimum raised',
      (doc) => (recharge(doc).properties.amount.minimum = 100),
      'request-constraint-tightened',
      'createRecharge',
      `${RECHARGE_BODY}/properties/amount/minimum`,
    ],
    ['new scope required', (doc) => getCard(doc).security[0].oauth2.push('partner:cards.admin'), 'security-scope-added', 'getCard', `${CARD}/security`],
    [
      'scope replaced',
      (doc) => (createRecharge(doc).security = [{ oauth2: ['partner:cards.admin'] }]),
      'security-scope-added',
      'createRecharge',
      `${RECHARGE}/security`,
    ],
    ['security alternative removed (basicAuth)', (doc) => getCard(doc).security.pop(), 'security-alternative-removed', 'getCard', `${CARD}/security`],
    [
      'public operation now secured',
      (doc) => (doc.paths['/health'].get.security = [{ oauth2: ['partner:cards.read'] }]),
      'security-added',
      'getHealth',
      `${HEALTH}/security`,
    ],
  ];

  test.each(cases)('%s', (_name, edit, rule, operationId, location) => {
    const diff = diffContracts(contract(), changed(edit));
    expect(summary(diff.breaking)).toContain(`${rule} ${operationId} ${location}`);
  });

  test('request body made required', () => {
    const optional = changed((doc) => (createRecharge(doc).requestBody.required = false));
    expect(summary(diffContracts(optional, contract()).breaking)).toEqual([`request-body-made-required createRecharge ${RECHARGE}/requestBody`]);
  });

  test('a changed security scheme is breaking (document level)', () => {
    const diff = diffContracts(
      contract(),
      changed((doc) => (doc.components.securitySchemes.oauth2.flows.clientCredentials.tokenUrl = '/oauth2/token')),
    );
    expect(diff.breaking).toEqual([expect.objectContaining({ rule: 'security-scheme-changed', location: '#/components/securitySchemes/oauth2' })]);
  });
});

describe('warnings', () => {
  test('an enum value added to a response field is a warning, not a breaking change', () => {
    const diff = diffContracts(
      contract(),
      changed((doc) => card(doc).properties.status.enum.push('blocked')),
    );
    expect(diff.breaking).toEqual([]);
    expect(summary(diff.warnings)).toEqual([
      `response-enum-value-added getCard ${CARD_200}/properties/data/properties/status/enum`,
      `response-enum-value-added createRecharge ${RECHARGE}/responses/200/content/application~1json/schema/properties/data/properties/status/enum`,
    ]);
  });
});

describe('non-breaking changes', () => {
  test('additive changes are info only', () => {
    const after = changed((doc) => {
      card(doc).properties.label = { type: 'string' }; // new optional response field
      card(doc).properties.holder = { type: 'string' }; // new response field, even required
      card(doc).required.push('holder');
      recharge(doc).properties.channelRef = { type: 'string' }; // new optional request field
      getCard(doc).parameters.push({ name: 'expand', in: 'query', schema: { type: 'string' } }); // new optional parameter
      getCard(doc).responses['403'] = { description: 'forbidden' }; // new status
      doc.paths['/partner/v1/balances'] = {
        get: { operationId: 'getBalance', security: [{ oauth2: ['partner:cards.read'] }], responses: { '200': { description: 'OK' } } },
      }; // new operation
    });
    const diff = diffContracts(contract(), after);
    expect(diff.breaking).toEqual([]);
    expect(diff.warnings).toEqual([]);
    expect(diff.info.map((change) => change.rule).sort()).toEqual(
      ['field-added', 'field-added', 'field-added', 'field-added', 'field-added', 'operation-added', 'parameter-added', 'response-status-added'].sort(),
    );
  });

  test('loosening what a client sends and tightening what it reads are info only', () => {
    const after = changed((doc) => {
      recharge(doc).properties.note.maxLength = 500; // request constraint relaxed
      delete recharge(doc).properties.cardId.pattern;
      recharge(doc).properties.channel.enum.push('bank'); // request enum value added
      recharge(doc).required = ['cardId']; // request field made optional
      recharge(doc).properties.amount.format = 'int64';
      card(doc).properties.status.enum = ['active']; // response enum value removed
      card(doc).properties.nickname.maxLength = 32; // response constraint
      card(doc).required.push('nickname'); // response field now always there
      getCard(doc).security.push({ oauth2: ['partner:cards.admin'] }); // another alternative accepted
      createRecharge(doc).security[0].oauth2 = []; // fewer scopes needed
      doc.paths['/partner/v1/cards/{id}'] = doc.paths['/partner/v1/cards/{cardId}']; // path parameter renamed: same URL
      delete doc.paths['/partner/v1/cards/{cardId}'];
      doc.paths['/partner/v1/cards/{id}'].parameters = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
    });
    const diff = diffContracts(contract(), after);
    expect(diff.breaking).toEqual([]);
    expect(diff.warnings).toEqual([]);
    expect(diff.info.length).toBeGreaterThan(0);
  });

  test('request formats may widen and response formats may narrow', () => {
    const base = changed((doc) => (recharge(doc).properties.amount.format = 'int32'));
    const diff = diffContracts(
      base,
      changed((doc) => {
        recharge(doc).properties.amount.format = 'int64';
        card(doc).properties.balance.format = 'int32';
      }),
    );
    expect(diff.breaking).toEqual([]);
    expect(diff.info.map((change) => change.rule)).toEqual(['format-changed', 'format-changed', 'format-changed']);
  });

  test('recursive schemas terminate', () => {
    const tree = (doc: Json) => {
      schemas(doc).Node = { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } };
      card(doc).properties.tree = { $ref: '#/components/schemas/Node' };
    };
    const diff = diffContracts(
      changed(tree),
      changed((doc) => {
        tree(doc);
        delete schemas(doc).Node.properties.children;
      }),
    );
    expect(summary(diff.breaking)).toContain(`response-field-removed getCard ${CARD_200}/properties/data/properties/tree/properties/children`);
  });
});

describe('the repository contract', () => {
  const root = join(__dirname, '..');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

  test('the working tree has no breaking change against HEAD (HEAD against itself when someone is mid-change)', () => {
    const committed = git('show', 'HEAD:generated/openapi.json');
    const working = readFileSync(join(root, 'generated/openapi.json'), 'utf8');
    const after = working === committed ? working : committed;
    const diff = diffContracts(JSON.parse(committed), JSON.parse(after));
    expect(diff.breaking).toEqual([]);
  });

  test('a field removed from a shared schema is reported for every operation that returns it', () => {
    const before = JSON.parse(git('show', 'HEAD:generated/openapi.json'));
    const after = JSON.parse(JSON.stringify(before));
    delete after.components.schemas.Card.properties.maskedNumber;
    const operations = new Set(
      diffContracts(before, after)
        .breaking.filter((change) => change.rule === 'response-field-removed')
        .map((change) => change.operationId),
    );
    expect([...operations]).toEqual(expect.arrayContaining(['getCard', 'listCards', 'issueCard', 'lookupCard', 'suspendCard']));
  });

  test('the CLI exits 2 on an unknown ref or an option, 0 against HEAD when nothing changed', () => {
    const lines: string[] = [];
    expect(main(['no-such-ref-for-spec-diff'], (line) => lines.push(line))).toBe(2);
    expect(lines.join('\n')).toMatch(/not a git commit/);
    expect(main(['--against-latest-tag'], () => undefined)).toBe(2);
    const working = readFileSync(join(root, 'generated/openapi.json'), 'utf8');
    if (working === git('show', 'HEAD:generated/openapi.json')) expect(main(['HEAD'], () => undefined)).toBe(0);
  });

  test('the committed bundle has no breaking change against the published contract (the gate CI runs)', () => {
    const published = JSON.parse(git('show', 'HEAD:spec/published/openapi.json'));
    const committed = JSON.parse(git('show', 'HEAD:generated/openapi.json'));
    expect(diffContracts(published, committed).breaking).toEqual([]);
  });
});

describe('the gate: npm run spec:diff against spec/published/openapi.json', () => {
  let dir: string;
  const write = (path: string, doc: Json) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), JSON.stringify(doc));
  };
  const run = () => {
    const lines: string[] = [];
    return { status: main([], (line) => lines.push(line), dir), output: lines.join('\n') };
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cynod-spec-diff-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('when the bundle only adds to the published contract, then it passes', () => {
    write('spec/published/openapi.json', contract());
    write(
      'generated/openapi.json',
      changed((doc) => {
        card(doc).properties.nickname = { type: 'string' };
      }),
    );
    expect(run()).toEqual({ status: 0, output: expect.stringContaining('0 breaking') });
  });

  test('when the bundle removes a field partners read, then it fails and names the change', () => {
    write('spec/published/openapi.json', contract());
    write(
      'generated/openapi.json',
      changed((doc) => {
        delete card(doc).properties.balance;
      }),
    );
    const { status, output } = run();
    expect(status).toBe(1);
    expect(output).toMatch(/BREAKING +getCard .*response-field-removed/s);
    expect(output).toContain('against spec/published/openapi.json');
  });

  test('when nothing was ever published, then it fails and says how to publish', () => {
    write('generated/openapi.json', contract());
    expect(run()).toEqual({ status: 2, output: expect.stringContaining('npm run spec:publish') });
  });
});
