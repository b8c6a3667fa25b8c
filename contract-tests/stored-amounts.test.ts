/**
 * Stored amounts reach partners exactly or not at all: a balance the contract cannot carry
 * (beyond Amount's bounds, or beyond 2^53 where Number() used to round it) is a 500, never a
 * silently altered figure. Response validation is off here (VALIDATE_RESPONSES=false is a
 * supported setting), so the guarantee is the domain's, not the validator's.
 */
import { amountBounds } from '../generated/operations';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { issueCard, newClientWorld } from './support/world';

let server: TestServer;
let token: string;
let cardId: string;
const cards = () => server.sdk({ token }).coreCards;
const setBalance = (value: string) =>
  server.database.db.query("UPDATE ledger_accounts SET posted = $1::bigint WHERE card_id = $2 AND unit_code = 'XOF'", [value, cardId]);

beforeAll(async () => {
  server = await startTestServer({ config: { validateResponses: false } });
  token = await server.coreToken();
  const core = server.sdk({ token });
  cardId = (await issueCard(core, await newClientWorld(core, 'MONTANTS'))).id;
});
afterAll(() => server.stop());

describe('stored balances', () => {
  it('when a balance is the contract maximum, then it is answered exactly', async () => {
    await setBalance(String(amountBounds.maximum));
    expect((await cards().getCard({ cardId })).data.balances).toEqual([
      { value: amountBounds.maximum, unit: 'XOF', scale: 0, decimal: String(amountBounds.maximum) },
    ]);
  });

  it('when a stored balance lies beyond 2^53, then the read fails with 500 instead of answering a rounded figure', async () => {
    await setBalance('9007199254740993');
    const answer = await failure(cards().getCard({ cardId }));
    expect([answer.status, answer.body.code]).toEqual([500, '9999']);
    expect(answer.text).not.toContain('9007199254740992');
  });
});
