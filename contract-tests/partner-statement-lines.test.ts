/**
 * The partner's daily statement reconciles line by line: under concurrent recharges each line's
 * float balance is the previous line's plus its movement, and closing is opening plus the lines.
 * What `own` means (the partner made it, it moved the partner's float, or it cancels one of the
 * partner's operations, whoever cancelled it), and what a reversal gives back to the recharge
 * limits per day.
 */
import { randomUUID } from 'node:crypto';
import { CardService, type PartnerStatementLine } from '../generated/sdk';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import {
  checkLedgerAfterEach,
  contractedPartner,
  fundedCard,
  issueCard,
  newClientWorld,
  newEnergyType,
  newStation,
  xof,
  type ClientWorld,
} from './support/world';

let server: TestServer;
let token: string;
let world: ClientWorld;
const sdk = () => server.sdk({ token });
const today = () => new Date().toISOString().slice(0, 10);
const SCOPES = ['partner:recharges.write', 'partner:payments.write', 'partner:operations.read'];

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  world = await newClientWorld(sdk(), 'LINES', { validityMonths: 24, monthlyOfflineCap: xof(0) });
  await newEnergyType(sdk(), 'GASOIL');
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

/** Every line of the partner's statement of today, page after page. */
async function allLines(partnerToken: string, limit = 7): Promise<{ opening: number; closing: number; lines: PartnerStatementLine[] }> {
  const api = server.sdk({ token: partnerToken }).partner;
  const first = (await api.getPartnerDailyStatement({ day: today(), unit: 'XOF', limit })).data;
  const lines: PartnerStatementLine[] = [...first.lines];
  for (let cursor = first.nextCursor; cursor !== null; ) {
    const page = (await api.getPartnerDailyStatement({ day: today(), unit: 'XOF', limit, cursor })).data;
    lines.push(...page.lines);
    cursor = page.nextCursor;
  }
  return { opening: first.openingFloat.value, closing: first.closingFloat.value, lines };
}

describe("a partner's statement lines", () => {
  it("when 60 recharges race on one float, then each line's float balance is the previous one's plus its movement, and closing is opening plus the lines", async () => {
    const partner = await contractedPartner(server, sdk(), { name: 'Moov Money', scopes: SCOPES, clientId: world.clientId, float: 10_000_000 });
    const cards = await Promise.all([0, 1, 2, 3].map(() => issueCard(sdk(), world)));
    const api = server.sdk({ token: partner.token }).partner;
    await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        api.createPartnerRecharge({
          idempotencyKey: randomUUID(),
          partnerRechargeCreate: { cardId: cards[index % cards.length].id, amount: xof(1000 + index), externalReference: `RACE-${index}` },
        }),
      ),
    );
    const { opening, closing, lines } = await allLines(partner.token);
    expect(lines).toHaveLength(61); // the float funding, then the recharges
    let balance = opening;
    const breaks: string[] = [];
    for (const line of lines) {
      balance += line.floatMovement.value;
      if (line.floatBalanceAfter !== null && line.floatBalanceAfter.value !== balance)
        breaks.push(`${line.externalReference}: ${line.floatBalanceAfter.value} after, ${balance} expected`);
    }
    expect(breaks).toEqual([]);
    expect(closing).toBe(opening + lines.reduce((sum, line) => sum + line.floatMovement.value, 0));
    expect(new Set(lines.map((line) => line.operationId)).size).toBe(lines.length);
  });

  it("when the issuer cancels a partner's payment, then the cancellation is the partner's own (own: true), on its statement and in its operations, naming the payment", async () => {
    const { id: stationId } = await newStation(sdk(), world.networkId, 'STATION-LINES');
    const station = await contractedPartner(server, sdk(), { name: 'Station Lines SI', scopes: SCOPES, servicePointId: stationId });
    const card = await fundedCard(sdk(), world, 50000);
    const api = server.sdk({ token: station.token }).partner;
    const paid = (
      await api.createPartnerPayment({
        idempotencyKey: randomUUID(),
        partnerPaymentCreate: {
          cardNumber: card.number,
          servicePointId: stationId,
          amount: xof(7000),
          service: CardService.Fuel,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 10000, unitPrice: xof(700) },
          receiptNumber: 'LINES-1',
          externalReference: 'LINES-PAY-1',
        },
      })
    ).data;
    const cancellation = (
      await sdk().coreLedger.cancelOperation({ operationId: paid.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Ticket saisi deux fois' } })
    ).data;
    const seen = (await api.getPartnerOperation({ operationId: cancellation.id })).data;
    expect(seen).toMatchObject({ type: 'cancellation', own: true, cancels: paid.id, servicePointId: stationId, cardId: card.id });
    expect((await api.getPartnerOperation({ operationId: paid.id })).data).toMatchObject({ own: true, status: 'cancelled', cancelledBy: cancellation.id });
    const { lines } = await allLines(station.token);
    expect(lines.map((line) => [line.type, line.operationId, line.cancels, line.floatMovement.value])).toEqual([
      ['payment', paid.id, null, 0],
      ['cancellation', cancellation.id, paid.id, 0],
    ]);
  });

  it('when a recharge is reversed by the partner or cancelled by the issuer, then it no longer counts in the limits per day and per card per day', async () => {
    const partner = await contractedPartner(server, sdk(), { name: 'Wave Lines', scopes: SCOPES, clientId: world.clientId, float: 100000 });
    await sdk().corePartners.setPartnerRechargeLimits({
      partnerId: partner.id,
      rechargeLimits: { limits: [{ unit: 'XOF', perOperation: 2000, perDay: 3000, perCardPerDay: 2000 }] },
    });
    const [first, second] = [(await issueCard(sdk(), world)).id, (await issueCard(sdk(), world)).id];
    const api = server.sdk({ token: partner.token }).partner;
    const recharge = (cardId: string, value: number) =>
      api.createPartnerRecharge({ idempotencyKey: randomUUID(), partnerRechargeCreate: { cardId, amount: xof(value), externalReference: randomUUID() } });

    const sentTwice = (await recharge(first, 2000)).data;
    await api.reversePartnerOperation({ operationId: sentTwice.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Envoyée deux fois' } });
    const again = (await recharge(first, 2000)).data; // the card's day and the partner's day are whole again
    await sdk().coreLedger.cancelOperation({ operationId: again.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Erreur de carte' } });
    await recharge(first, 2000);
    await recharge(second, 1000);
    const beyond = await failure(recharge(second, 1));
    expect([beyond.status, beyond.body.code, beyond.body.details]).toEqual([
      409,
      '4080',
      { rechargeLimit: 'perDay', unit: 'XOF', scale: 0, limit: 3000, used: 3000, requested: 1 },
    ]);
    const float = (await api.getPartnerFloat()).data;
    expect(float.floats.find((item) => item.unit === 'XOF')).toMatchObject({ posted: xof(97000), today: { timeZone: 'UTC', recharged: 3000, recharges: 2 } });
  });
});
