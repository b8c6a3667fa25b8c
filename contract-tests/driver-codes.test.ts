/**
 * Driver codes throttled: 25 wrong codes then the right one matched, so a
 * 4-digit code fell to anyone holding the card. After the profile's `driverCodeMaxFailures`
 * wrong codes in a row the card's driver code is locked (4111, even for the right code, a
 * `driver-code.locked` security event once) until the driver's code is set again; a right code
 * starts the count again; a profile may require the code (`not-given` refused, 4112).
 */
import { randomUUID } from 'node:crypto';
import { CardService } from '../generated/sdk';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, fundedCard, newCardProfile, newClient, newNetwork, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
let clientId: string;
let servicePointId: string;
let sequence = 0;
const CODE = '4826';
const sdk = () => server.sdk({ token });
const key = () => randomUUID();

async function profile(extra: { driverCodeRequired?: boolean; driverCodeMaxFailures?: number } = {}): Promise<string> {
  sequence += 1;
  return newCardProfile(sdk(), `CODES-${sequence}`, { monthlyOfflineCap: xof(100000), allowedServices: [CardService.Shop], ...extra });
}

/** A funded card of the profile issued to a new driver whose code is CODE. */
async function driverCard(profileId: string): Promise<{ cardId: string; driverId: string }> {
  const cardId = (await fundedCard(sdk(), { clientId, profileId }, 100000)).id;
  const driverId = (await sdk().coreFleet.createDriver({ driverCreate: { clientId, name: 'Yao Kouamé', phone: '+2250102030405', driverCode: CODE } })).data.id;
  await sdk().coreFleet.replaceCardFleet({ cardId, cardFleet: { vehicleId: null, driverId } });
  return { cardId, driverId };
}

const pay = (cardId: string, driverCode?: string) =>
  sdk().coreLedger.createPayment({
    idempotencyKey: key(),
    paymentCreate: {
      cardId,
      servicePointId,
      amount: xof(100),
      service: CardService.Shop,
      receiptNumber: `DC-${(sequence += 1)}`,
      ...(driverCode === undefined ? {} : { driverCode }),
    },
  });
const authorize = (cardId: string, driverCode?: string) =>
  sdk().coreLedger.createAuthorization({
    idempotencyKey: key(),
    authorizationCreate: { cardId, servicePointId, amount: xof(100), service: CardService.Shop, ...(driverCode === undefined ? {} : { driverCode }) },
  });
const refusedCode = async (promise: Promise<unknown>) => {
  const answer = await failure(promise);
  return `${answer.status} ${answer.body.code}`;
};
const lockEvents = async (cardId: string) =>
  (await sdk().coreAudit.listSecurityEvents({ type: 'driver-code.locked' })).data.items.filter((event) => event.cardId === cardId);

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const networkId = await newNetwork(sdk(), 'RES-CODES');
  clientId = await newClient(sdk(), networkId, 'FLOTTE-CODES');
  servicePointId = (await newStation(sdk(), networkId, 'STATION-CODES')).id;
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

describe('when wrong driver codes are given for a card', () => {
  it("then after the profile's 5 failures the code is locked: the right code is refused 4111, once recorded as a security event, and setting the code again unlocks it", async () => {
    const { cardId, driverId } = await driverCard(await profile());
    for (let attempt = 0; attempt < 5; attempt += 1) expect(await refusedCode(pay(cardId, String(1000 + attempt)))).toBe('403 4074');
    expect(await refusedCode(pay(cardId, CODE))).toBe('403 4111');
    expect(await refusedCode(authorize(cardId, CODE))).toBe('403 4111');
    expect(await refusedCode(pay(cardId, '0000'))).toBe('403 4111');
    const events = await lockEvents(cardId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'driver-code.locked', cardId, reason: 'too-many-failures', channel: 'api' });
    expect((await sdk().coreCards.listCardDeclines({ cardId })).data.items.map((item) => item.code)).toEqual([
      '4074',
      '4074',
      '4074',
      '4074',
      '4074',
      '4111',
      '4111',
      '4111',
    ]);
    // Without a code the card still pays (its profile does not require one): the lock is on the code.
    expect((await pay(cardId)).data.driverCheck).toBe('not-given');

    await sdk().coreFleet.setDriverCode({ driverId, driverCodeChange: { driverCode: CODE } });
    expect((await pay(cardId, CODE)).data.driverCheck).toBe('matched');
  });

  it('then wrong codes at the pump (authorisations) count too, and a right code starts the count again', async () => {
    const { cardId } = await driverCard(await profile({ driverCodeMaxFailures: 3 }));
    expect(await refusedCode(authorize(cardId, '1111'))).toBe('403 4074');
    expect(await refusedCode(pay(cardId, '2222'))).toBe('403 4074');
    expect((await pay(cardId, CODE)).data.driverCheck).toBe('matched');
    expect(await refusedCode(pay(cardId, '3333'))).toBe('403 4074');
    expect(await refusedCode(authorize(cardId, '4444'))).toBe('403 4074');
    expect((await pay(cardId, CODE)).data.driverCheck).toBe('matched');
    for (const wrong of ['5555', '6666', '7777']) expect(await refusedCode(pay(cardId, wrong))).toBe('403 4074');
    expect(await refusedCode(pay(cardId, CODE))).toBe('403 4111');
    expect(await lockEvents(cardId)).toHaveLength(1);
  });

  it('then 25 wrong codes and the right one do not match (the brute force of the issue)', async () => {
    const { cardId } = await driverCard(await profile());
    const answers: string[] = [];
    for (let attempt = 0; attempt < 25; attempt += 1) answers.push(await refusedCode(pay(cardId, String(5000 + attempt))));
    expect(answers.filter((answer) => answer === '403 4074')).toHaveLength(5);
    expect(await refusedCode(pay(cardId, CODE))).toBe('403 4111');
  });
});

describe('when wrong driver codes arrive at once (real PostgreSQL: concurrent transactions)', () => {
  it('then every failure is counted, the lock holds afterwards and is recorded once', async () => {
    const { cardId } = await driverCard(await profile({ driverCodeMaxFailures: 3 }));
    const answers = await Promise.all(Array.from({ length: 12 }, (_, index) => refusedCode(pay(cardId, String(7000 + index)))));
    // Attempts already in flight when the lock starts are still compared (at most one per request in flight), never matched.
    expect(answers.every((answer) => answer === '403 4074' || answer === '403 4111')).toBe(true);
    const [{ failures }] = await server.database.db.query<{ failures: number }>('SELECT driver_code_failures AS failures FROM cards WHERE id = $1', [cardId]);
    expect(failures).toBe(answers.filter((answer) => answer === '403 4074').length);
    expect(await refusedCode(pay(cardId, CODE))).toBe('403 4111');
    expect(await lockEvents(cardId)).toHaveLength(1);
  });
});

describe('when a profile requires the driver code', () => {
  it('then a payment or an authorisation without it is refused 4112 and declined; with it, it matches; a card without a driver pays', async () => {
    const profileId = await profile({ driverCodeRequired: true });
    expect((await sdk().coreCards.getCardProfile({ profileId })).data).toMatchObject({ driverCodeRequired: true, driverCodeMaxFailures: 5 });
    const { cardId } = await driverCard(profileId);
    expect(await refusedCode(pay(cardId))).toBe('403 4112');
    expect(await refusedCode(authorize(cardId))).toBe('403 4112');
    expect((await pay(cardId, CODE)).data.driverCheck).toBe('matched');
    expect((await sdk().coreCards.listCardDeclines({ cardId })).data.items.map((item) => item.code)).toEqual(['4112', '4112']);

    const plain = (await fundedCard(sdk(), { clientId, profileId }, 1000, { name: 'Sans conducteur', phone: '+2250102030406' })).id;
    expect((await pay(plain)).data.driverCheck).toBe('no-driver');

    const relaxed = (await sdk().coreCards.updateCardProfile({ profileId, cardProfileUpdate: { driverCodeRequired: false } })).data;
    expect(relaxed.driverCodeRequired).toBe(false);
    expect((await pay(cardId)).data.driverCheck).toBe('not-given');
  });
});
