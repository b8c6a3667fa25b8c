import { describedCodeProblems, mentionedCodes } from './described-codes';

const catalog = {
  VALIDATION_FAILED: { code: '2001', status: 400, meaning: '', message: { fr: '', en: '' } },
  INSUFFICIENT_FUNDS: { code: '4010', status: 409, meaning: '', message: { fr: '', en: '' } },
  AMOUNT_MISMATCH: { code: '4023', status: 400, meaning: '', message: { fr: '', en: '' } },
  IDEMPOTENCY_KEY_REUSED: { code: '4031', status: 422, meaning: '', message: { fr: '', en: '' } },
  SYSTEM_ERROR: { code: '9999', status: 500, meaning: '', message: { fr: '', en: '' } },
  SERVICE_UNAVAILABLE: { code: '9999', status: 503, meaning: '', message: { fr: '', en: '' } },
};

/** A contract with one operation whose description is `description`, documenting `statuses`. */
const contract = (description: string, statuses: string[] = ['200', '400', '409', '422']) => ({
  paths: {
    '/recharges': {
      post: { operationId: 'createRecharge', description, responses: Object.fromEntries(statuses.map((status) => [status, { description: status }])) },
    },
  },
  components: { schemas: { ErrorCode: { 'x-code-catalog': catalog } } },
});

describe('codes named in descriptions', () => {
  it('reads the forms the contract writes, with the status beside the code when there is one', () => {
    expect(
      mentionedCodes('the same key with another body is 409, code 4023; a float short (409, 4010, with the figures); 422 (code 4031); missing: code 2001'),
    ).toEqual([
      { code: '4023', status: 409 },
      { code: '4010', status: 409 },
      { code: '4031', status: 422 },
      { code: '2001', status: null },
    ]);
    expect(mentionedCodes('4xxx codes, 1,000 XOF, at 2026-12-01')).toEqual([]);
  });

  it('when a description gives a code another status than the catalog (the 409, code 4023 of createPartnerRecharge), then generation is refused', () => {
    expect(describedCodeProblems(contract('the same key with another body is 409, code 4023'))).toEqual([
      'createRecharge: its description says 409 with code 4023; the catalog answers 4023 with 400',
    ]);
  });

  it('when a description names a code the catalog lacks or a status the operation does not document, then generation is refused', () => {
    expect(describedCodeProblems(contract('a retry is code 4999'))).toEqual([
      'createRecharge: its description mentions code 4999, which the catalog does not have',
    ]);
    expect(describedCodeProblems(contract('the same key with another body is 422, code 4031', ['200', '409']))).toEqual([
      'createRecharge: its description mentions code 4031 (HTTP 422), a status the operation does not document',
    ]);
    // A bare code may be one inside a 200 answer (a refused line of a batch): it only has to exist.
    expect(describedCodeProblems(contract('a fill too old is refused, code 4031', ['200']))).toEqual([]);
  });

  it('when every mention agrees with the catalog and the documented answers, then there is nothing to say (a code with two statuses included)', () => {
    expect(
      describedCodeProblems(
        contract('the same key with another body is 422, code 4031; a float short is 409, 4010; down: 503, code 9999', ['200', '409', '422', '503']),
      ),
    ).toEqual([]);
  });
});
