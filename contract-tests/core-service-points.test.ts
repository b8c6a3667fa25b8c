/** Core API: service points with their E-service card, and fuel-ticket values. */
import { isValidCardNumber } from '../src/domain/cards/card-numbers';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { newEnergyType, newNetwork } from './support/world';

let server: TestServer;
let token: string;
let networkId: string;
const referential = () => server.sdk({ token }).coreReferential;
const cards = () => server.sdk({ token }).coreCards;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  networkId = await newNetwork(server.sdk({ token }), 'RES-STATIONS');
  await newEnergyType(server.sdk({ token }), 'GASOIL');
  await newEnergyType(server.sdk({ token }), 'SUPER');
});
afterAll(() => server.stop());

describe('service points', () => {
  it('when a service point is created, then its E-service card is created with it: active, in XOF, number shown once', async () => {
    const created = (
      await referential().createServicePoint({
        servicePointCreate: { code: 'STATION-MARCORY', name: 'Station Marcory', address: 'Bd VGE, Marcory, Abidjan', networkId },
      })
    ).data;
    expect(isValidCardNumber(created.eServiceCard.number!)).toBe(true);

    const card = (await cards().getCard({ cardId: created.eServiceCard.id })).data;
    expect(card).toMatchObject({
      kind: 'eservice',
      servicePointId: created.id,
      clientId: null,
      profileId: null,
      holder: null,
      expiresAt: null,
      status: 'active',
      balances: [{ value: 0, unit: 'XOF' }],
    });
    expect((await cards().lookupCard({ cardLookup: { cardNumber: created.eServiceCard.number! } })).data.id).toBe(card.id);

    const read = (await referential().getServicePoint({ servicePointId: created.id })).data;
    expect(read.eServiceCard).toEqual({ id: card.id, maskedNumber: card.maskedNumber });
    expect((await cards().listCards({ kind: 'eservice' })).data.items.map((item) => item.id)).toContain(card.id);
  });

  it('when a service point is updated, then its name and address change and nothing else', async () => {
    const created = (
      await referential().createServicePoint({
        servicePointCreate: { code: 'STATION-COCODY', name: 'Station Cocody', address: 'Riviera 2, Cocody', networkId },
      })
    ).data;
    const updated = (await referential().updateServicePoint({ servicePointId: created.id, servicePointUpdate: { address: 'Riviera 3, Cocody' } })).data;
    expect(updated).toMatchObject({ code: 'STATION-COCODY', name: 'Station Cocody', address: 'Riviera 3, Cocody', networkId });
    expect((await referential().listServicePoints({ networkId })).data.items.map((item) => item.code)).toEqual(['STATION-MARCORY', 'STATION-COCODY']);
  });

  it('when the network is unknown or the code taken, then nothing is created, not even a card', async () => {
    const count = async () =>
      (await server.database.db.query<{ n: number }>('SELECT (SELECT count(*) FROM service_points) + (SELECT count(*) FROM cards) AS n'))[0];
    const before = await count();
    const unknown = await failure(
      referential().createServicePoint({
        servicePointCreate: { code: 'STATION-X', name: 'X', address: 'Nulle part', networkId: 'net_000000000000000000000000' },
      }),
    );
    expect([unknown.status, unknown.body.code]).toEqual([404, '3002']);
    const taken = await failure(
      referential().createServicePoint({ servicePointCreate: { code: 'STATION-MARCORY', name: 'Doublon', address: 'Ailleurs', networkId } }),
    );
    expect([taken.status, taken.body.code]).toEqual([409, '4002']);
    expect(await count()).toEqual(before);
  });

  it('when a service point id is unknown, then it is 404 3009', async () => {
    const answer = await failure(referential().getServicePoint({ servicePointId: 'spt_000000000000000000000000' }));
    expect([answer.status, answer.body.code]).toEqual([404, '3009']);
  });
});

describe('fuel-ticket values', () => {
  it('when a fuel-ticket value is created, then it is read and listed', async () => {
    const created = (
      await referential().createFuelTicket({
        fuelTicketCreate: { code: 'TICKET-10000', label: 'Ticket 10 000 FCFA', value: { value: 10000, unit: 'XOF' }, energyTypeCodes: ['GASOIL', 'SUPER'] },
      })
    ).data;
    expect((await referential().getFuelTicket({ fuelTicketCode: 'TICKET-10000' })).data).toEqual(created);
    expect((await referential().listFuelTickets({})).data.items.map((item) => item.code)).toEqual(['TICKET-10000']);
  });

  it.each([
    ['an unknown unit', { value: { value: 5000, unit: 'EUR' } }, 404, '3004'],
    ['an unknown energy type', { energyTypeCodes: ['KEROSENE'] }, 404, '3005'],
    ['a zero value', { value: { value: 0, unit: 'XOF' } }, 400, '2001'],
    ['a repeated energy type', { energyTypeCodes: ['GASOIL', 'GASOIL'] }, 400, '2001'],
    ['a taken code', { code: 'TICKET-10000' }, 409, '4002'],
  ])('when a fuel-ticket value has %s, then it is refused with a precise code', async (_label, patch, status, code) => {
    const answer = await failure(
      referential().createFuelTicket({
        fuelTicketCreate: { code: 'TICKET-5000', label: 'Ticket 5 000', value: { value: 5000, unit: 'XOF' }, energyTypeCodes: ['GASOIL'], ...patch },
      }),
    );
    expect([answer.status, answer.body.code]).toEqual([status, code]);
  });

  it('when a fuel-ticket code is unknown, then it is 404 3010', async () => {
    const answer = await failure(referential().getFuelTicket({ fuelTicketCode: 'TICKET-INCONNU' }));
    expect([answer.status, answer.body.code]).toEqual([404, '3010']);
  });
});
