/**
 * Logs that leak nothing. Every test server logs everything (level trace) into the capture of
 * support/log-capture.ts, and support/log-leak-check.ts checks it after each test file of the
 * run: no consumer secret, Basic credential, access token or card number the file used or
 * produced, and a request id and status on every request line. This file checks that the
 * capture and the check themselves work: a check that cannot fail protects nothing.
 */
import { newCardNumber } from '../src/domain/cards/card-numbers';
import { captured, checkCapturedLogs, leaksIn, requestLineProblems } from './support/log-capture';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('when a server answers a token request and an authenticated call', () => {
  it('then the capture holds the request lines, with request, partner and operation ids', async () => {
    const partner = await server.partner();
    const token = await server.token(partner.key, partner.secret);
    await server.sdk({ token }).partner.getPartnerMe();
    const requests = captured()
      .lines.map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(requests.some((line) => line.partnerId === partner.id && typeof line.operationId === 'string' && typeof line.latencyMs === 'number')).toBe(true);
    expect(requestLineProblems(captured().lines)).toEqual([]);
  });

  it('then the secret, the Basic credential and the token it used are noted, and none is in the logs', () => {
    expect(captured().secrets.size).toBeGreaterThanOrEqual(3); // consumer secret, Basic credential, token
    expect(() => checkCapturedLogs()).not.toThrow();
  });
});

describe('when a log holds a secret, a token or a card number', () => {
  const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 30, msg: 'request', requestId: 'req_1', status: 200, ...fields });

  it('then a noted secret is found', () => {
    expect(leaksIn(line({ note: 'xx-the-secret-value-xx' }), ['the-secret-value'])).toHaveLength(1);
  });

  it('then a consumer secret or a bearer token is found even if nobody noted it', () => {
    expect(leaksIn(line({ note: `cs_${'a'.repeat(43)}` }), [])).toHaveLength(1);
    expect(leaksIn(line({ note: `Bearer ${'b'.repeat(24)}` }), [])).toHaveLength(1);
  });

  it('then a valid card number is found, and 16 digits inside an id are not', () => {
    const number = newCardNumber('707070');
    expect(leaksIn(line({ note: `card ${number}` }), [])).toHaveLength(1);
    expect(leaksIn(line({ requestId: `req_${number}ab` }), [])).toEqual([]);
  });

  it('then a request line without request id or status is reported', () => {
    expect(requestLineProblems([line({ requestId: undefined })])).toHaveLength(1);
    expect(requestLineProblems([line({ status: undefined })])).toHaveLength(1);
  });
});
