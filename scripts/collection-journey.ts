/**
 * The partner quick start (docs/partner-api.md) as the collection's first folder: steps that run
 * in order on the demo data, each saving what the next one needs. Every run uses its own
 * idempotency keys, references and receipt numbers, so it can be run again on the same server.
 */

export interface JourneyStep {
  name: string;
  operationId: string;
  /** The HTTP status the step expects. */
  status: number;
  path?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  /** Pre-request script lines. */
  prepare?: string[];
  /** Collection variables set from the answer: `{ name: JavaScript expression }`. */
  save?: Record<string, string>;
  /** More test script lines. */
  checks?: string[];
}

const data = 'pm.response.json().data';
const xof = (value: number) => ({ value, unit: 'XOF' });

export const JOURNEY: { description: string; steps: JourneyStep[] } = {
  description:
    'The partner quick start on the demo data: who am I, a card looked up by number, a recharge and its replay, a fill authorised ' +
    'and captured at the demo station, a recharge reversed, the day statement and the events feed. Needs `clientId`, ' +
    '`clientSecret` and `cardNumber` (from `.data/demo-credentials.json`).',
  steps: [
    {
      name: 'Who am I',
      operationId: 'getPartnerMe',
      status: 200,
      prepare: [
        "pm.collectionVariables.set('runId', Date.now().toString(36).toUpperCase());",
        "pm.collectionVariables.set('today', new Date().toISOString().slice(0, 10));",
      ],
      checks: [`pm.test('names the partner', () => pm.expect(${data}.partnerId).to.match(/^ptn_/));`],
    },
    {
      name: 'Look the card up by its number',
      operationId: 'lookupPartnerCard',
      status: 200,
      body: { cardNumber: '{{cardNumber}}' },
      save: { cardId: `${data}.id` },
      checks: [`pm.test('masks the number', () => pm.expect(${data}.maskedNumber).to.include('*'));`],
    },
    { name: 'Read the card', operationId: 'getPartnerCard', status: 200, path: { cardId: '{{cardId}}' } },
    { name: 'What the card may still spend', operationId: 'getPartnerCardAllowances', status: 200, path: { cardId: '{{cardId}}' } },
    { name: 'The units and their scale', operationId: 'listPartnerUnits', status: 200 },
    {
      name: 'Recharge 150,000 XOF from the float',
      operationId: 'createPartnerRecharge',
      status: 200,
      prepare: ["pm.collectionVariables.set('rechargeKey', pm.variables.replaceIn('{{$guid}}'));"],
      headers: { 'Idempotency-Key': '{{rechargeKey}}' },
      body: { cardId: '{{cardId}}', amount: xof(150_000), externalReference: 'MM-QS-{{runId}}' },
      save: { rechargeId: `${data}.id` },
      checks: [`pm.test('completed', () => pm.expect(${data}.status).to.equal('completed'));`],
    },
    {
      name: 'The same recharge retried: the same answer, credited once',
      operationId: 'createPartnerRecharge',
      status: 200,
      headers: { 'Idempotency-Key': '{{rechargeKey}}' },
      body: { cardId: '{{cardId}}', amount: xof(150_000), externalReference: 'MM-QS-{{runId}}' },
      checks: [
        "pm.test('replayed', () => pm.expect(pm.response.headers.get('Idempotent-Replayed')).to.equal('true'));",
        `pm.test('the same operation', () => pm.expect(${data}.id).to.equal(pm.collectionVariables.get('rechargeId')));`,
      ],
    },
    { name: 'The float and the recharge limits used today', operationId: 'getPartnerFloat', status: 200 },
    {
      name: "The recharge found by the partner's reference",
      operationId: 'listPartnerOperations',
      status: 200,
      query: { externalReference: 'MM-QS-{{runId}}' },
      checks: [`pm.test('one operation', () => pm.expect(${data}.items.map((item) => item.id)).to.eql([pm.collectionVariables.get('rechargeId')]));`],
    },
    {
      name: "The demo station's id (given with the contract; here from the Core API)",
      operationId: 'listServicePoints',
      status: 200,
      save: { stationId: `${data}.items[0].id` },
    },
    {
      name: 'Authorise a fill of up to 30,000 XOF at pump 3',
      operationId: 'createPartnerAuthorization',
      status: 200,
      body: { cardNumber: '{{cardNumber}}', servicePointId: '{{stationId}}', amount: xof(30_000), service: 'fuel', energyTypeCode: 'GASOIL', pumpNumber: 3 },
      save: { holdId: `${data}.id` },
      checks: [`pm.test('open', () => pm.expect(${data}.status).to.equal('open'));`],
    },
    {
      name: 'Capture what the pump dispensed: 20 L at 715 XOF/L',
      operationId: 'capturePartnerAuthorization',
      status: 200,
      path: { authorizationId: '{{holdId}}' },
      body: {
        amount: xof(14_300),
        receiptNumber: 'QS-{{runId}}',
        fuel: { energyTypeCode: 'GASOIL', quantityMl: 20_000, unitPrice: xof(715) },
        externalReference: 'STN-QS-{{runId}}',
      },
    },
    { name: "The card's history", operationId: 'listPartnerCardHistory', status: 200, path: { cardId: '{{cardId}}' } },
    {
      name: 'A second recharge, sent by mistake',
      operationId: 'createPartnerRecharge',
      status: 200,
      body: { cardId: '{{cardId}}', amount: xof(20_000), externalReference: 'MM-QS-{{runId}}-2' },
      save: { mistakeId: `${data}.id` },
    },
    {
      name: 'Reverse it',
      operationId: 'reversePartnerOperation',
      status: 200,
      path: { operationId: '{{mistakeId}}' },
      body: { reason: 'Recharge envoyée deux fois' },
      checks: [`pm.test('cancels the mistake', () => pm.expect(${data}.cancels).to.equal(pm.collectionVariables.get('mistakeId')));`],
    },
    {
      name: "Today's statement of the float",
      operationId: 'getPartnerDailyStatement',
      status: 200,
      path: { day: '{{today}}' },
      query: { unit: 'XOF' },
      checks: [
        `pm.test('has the day\\'s lines', () => pm.expect(${data}.lines.length).to.be.above(0));`,
        "pm.test('the float reconciles line by line', () => {",
        `  const statement = ${data};`,
        '  let balance = statement.openingFloat.value;',
        '  for (const line of statement.lines) {',
        '    balance += line.floatMovement.value;',
        '    if (line.floatBalanceAfter) pm.expect(line.floatBalanceAfter.value).to.equal(balance);',
        '  }',
        '  if (!statement.nextCursor) pm.expect(statement.closingFloat.value).to.equal(balance);',
        '});',
      ],
    },
    {
      name: 'The events feed, oldest first',
      operationId: 'listPartnerEvents',
      status: 200,
      query: { limit: '5' },
      save: { eventsCursor: `${data}.nextCursor` },
    },
    { name: 'The next events, from the cursor kept', operationId: 'listPartnerEvents', status: 200, query: { cursor: '{{eventsCursor}}' } },
  ],
};
