/**
 * The texts a person reads, in French (the default) or English, beside the stable codes a
 * client reads instead: declines (Core and 3rd Party API, history included), exceptions and
 * refused offline fills, each answer saying its language (`Content-Language`, `Vary:
 * Accept-Language`). Also: query strings holding a raw `:` (RFC 3986) on list operations, and
 * the units a partner reads to know what an amount means.
 */
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from './support/server';
import {
  checkLedgerAfterEach,
  contractedPartner,
  fundedCard,
  newClientWorld,
  newEnergyType,
  newStation,
  xof,
  type ClientWorld,
  type ContractedPartner,
} from './support/world';

let server: TestServer;
let token: string;
let owner: ClientWorld;
let servicePointId: string;
let partner: ContractedPartner;
let cardId: string;
let bookedId: string;
const sdk = () => server.sdk({ token });

interface Answer {
  status: number;
  language: string | null;
  vary: string | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the bodies are checked field by field
  body: any;
}

async function call(path: string, options: { token?: string; language?: string; method?: string; body?: unknown; key?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? token}` };
  if (options.language) headers['accept-language'] = options.language;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.key) headers['idempotency-key'] = options.key;
  const answer = await fetch(`${server.url}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: answer.status, language: answer.headers.get('content-language'), vary: answer.headers.get('vary'), body: await answer.json() };
}

/** The answer in French (no Accept-Language) and in English, each checked to say so. */
async function inBothLanguages(path: string, partnerToken?: string): Promise<{ fr: Answer; en: Answer }> {
  const fr = await call(path, { token: partnerToken });
  const en = await call(path, { token: partnerToken, language: 'en-GB,en;q=0.9,fr;q=0.5' });
  for (const [answer, language] of [
    [fr, 'fr'],
    [en, 'en'],
  ] as const) {
    expect([answer.status, answer.language, answer.vary]).toEqual([200, language, expect.stringMatching(/Accept-Language/i)]);
  }
  return { fr, en };
}

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  owner = await newClientWorld(sdk(), 'MSG', { monthlyOfflineCap: xof(1000) });
  servicePointId = (await newStation(sdk(), owner.networkId, 'STATION-MSG')).id;
  await newEnergyType(sdk(), 'GASOIL');
  partner = await contractedPartner(server, sdk(), {
    name: 'Lecteur MSG',
    scopes: ['partner:cards.read', 'partner:operations.read', 'partner:units.read'],
    clientId: owner.clientId,
  });
  cardId = (await fundedCard(sdk(), owner, 50000)).id;
  // A decline: the profile allows fuel only (4015).
  const refused = await call('/core/v1/payments', {
    method: 'POST',
    key: randomUUID(),
    body: { cardId, servicePointId, amount: xof(2000), service: 'shop', receiptNumber: 'MSG-1' },
  });
  expect([refused.status, refused.body.code]).toEqual([409, '4015']);
  // An exception (a booked fill beyond the profile's monthly offline cap) and a refused fill (no such card, 3008).
  const upload = await call(`/core/v1/service-points/${servicePointId}/offline-fills`, {
    method: 'POST',
    body: {
      terminalId: 'TPE-MSG',
      fills: [
        {
          terminalTransactionId: 'TPE-MSG-1',
          occurredAt: new Date().toISOString(),
          cardId,
          amount: xof(1400),
          service: 'fuel',
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 2000, unitPrice: xof(700) },
          pumpNumber: 1,
          receiptNumber: 'MSG-OFF-1',
        },
      ],
    },
  });
  expect(upload.body.data.results.map((result: { status: string }) => result.status)).toEqual(['booked']);
  bookedId = upload.body.data.results[0].operationId;
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

describe('texts in French and English', () => {
  it('when declines are read (Core, partner list, partner history), then the message is the code’s, in the language asked, and the figures stay in debugMessage', async () => {
    const core = await inBothLanguages(`/core/v1/card-declines?cardId=${cardId}`);
    const list = await inBothLanguages(`/partner/v1/cards/${cardId}/declines`, partner.token);
    const history = await inBothLanguages(`/partner/v1/cards/${cardId}/history`, partner.token);
    const declineOf = (answer: Answer, fromHistory = false) => {
      const items = answer.body.data.items;
      const decline = fromHistory ? items.find((item: { kind: string }) => item.kind === 'decline').decline : items[0];
      return [decline.code, decline.message, decline.debugMessage];
    };
    for (const { fr, en } of [core, list]) {
      expect(declineOf(fr)).toEqual(['4015', 'Service non autorisé pour cette carte', expect.stringContaining('shop')]);
      expect(declineOf(en)).toEqual(['4015', 'Service not allowed for this card', declineOf(fr)[2]]);
    }
    expect(declineOf(history.fr, true)).toEqual(declineOf(list.fr));
    expect(declineOf(history.en, true)).toEqual(declineOf(list.en));
  });

  it('when exceptions are read, then the message is the kind’s, in the language asked, the figures in debugMessage', async () => {
    const { fr, en } = await inBothLanguages(`/core/v1/card-exceptions?cardId=${cardId}`);
    const shown = (answer: Answer) =>
      answer.body.data.items.map((item: { kind: string; operationId: string; message: string; debugMessage: string }) => [
        item.kind,
        item.operationId,
        item.message,
        item.debugMessage,
      ]);
    const figures = expect.stringMatching(/reach 1400 XOF, beyond the profile's monthly offline cap of 1000 XOF/);
    expect(shown(fr)).toEqual([['offline-over-cap', bookedId, 'Plafond mensuel hors ligne du profil dépassé', figures]]);
    expect(shown(en)).toEqual([['offline-over-cap', bookedId, "Profile's monthly offline cap exceeded", figures]]);
  });

  it('when an offline fill is refused, then its result carries the code, the message in the language asked and the reason in debugMessage', async () => {
    const fill = (language?: string) =>
      call(`/core/v1/service-points/${servicePointId}/offline-fills`, {
        method: 'POST',
        language,
        body: {
          terminalId: 'TPE-MSG',
          fills: [
            {
              terminalTransactionId: `TPE-MSG-X-${randomUUID()}`,
              occurredAt: new Date().toISOString(),
              cardId: 'crd_000000000000000000000000',
              amount: xof(700),
              service: 'fuel',
              fuel: { energyTypeCode: 'GASOIL', quantityMl: 1000, unitPrice: xof(700) },
              receiptNumber: `MSG-X-${randomUUID()}`,
            },
          ],
        },
      });
    const fr = await fill();
    const en = await fill('en');
    expect([fr.status, fr.language, en.status, en.language]).toEqual([200, 'fr', 200, 'en']);
    expect(en.vary).toMatch(/Accept-Language/i);
    expect(fr.body.data.results[0].error).toEqual({ code: '3008', message: 'Carte introuvable', debugMessage: expect.any(String) });
    expect(en.body.data.results[0].error).toEqual({ code: '3008', message: 'Card not found', debugMessage: fr.body.data.results[0].error.debugMessage });
  });
});

describe('query strings with a raw colon (RFC 3986)', () => {
  it('when list operations get date-times and an IPv6 address unencoded, then they are read as their encoded forms are', async () => {
    const past = '2020-01-01T00:00:00Z';
    const future = '2999-01-01T00:00:00.000Z';
    const lists: [string, string | undefined][] = [
      [`/core/v1/operations?cardId=${cardId}&from=`, undefined],
      [`/core/v1/card-declines?cardId=${cardId}&from=`, undefined],
      [`/core/v1/card-exceptions?cardId=${cardId}&from=`, undefined],
      ['/core/v1/security-events?from=', undefined],
      ['/partner/v1/operations?from=', partner.token],
      [`/partner/v1/cards/${cardId}/declines?from=`, partner.token],
    ];
    for (const [prefix, partnerToken] of lists) {
      const raw = await call(`${prefix}${past}&to=${future}`, { token: partnerToken });
      const encoded = await call(`${prefix}${encodeURIComponent(past)}&to=${encodeURIComponent(future)}`, { token: partnerToken });
      expect([prefix, raw.status, raw.body.data?.items]).toEqual([prefix, 200, encoded.body.data.items]);
      const later = await call(`${prefix}${future}`, { token: partnerToken });
      expect([prefix, later.status, later.body.data?.items]).toEqual([prefix, 200, []]);
    }
    const allowances = await call(`/partner/v1/cards/${cardId}/allowances?at=${past}`, { token: partner.token });
    expect(allowances.status).toBe(200);
    const address = await call('/core/v1/security-events?address=::1');
    expect([address.status, address.body.data.items]).toEqual([200, (await call('/core/v1/security-events?address=%3A%3A1')).body.data.items]);
    // What RFC 3986 does not allow raw in a query is still refused.
    const bracket = await call('/core/v1/security-events?address=[::1]');
    expect([bracket.status, bracket.body.code]).toEqual([400, '2001']);
  });
});

describe('units for partners', () => {
  it('when a partner lists the units and reads one, then it learns each one’s kind and scale', async () => {
    await sdk().coreReferential.createUnit({ unitCreate: { code: 'L-GASOIL', label: 'Litres de gasoil', kind: 'volume', scale: 2, energyTypeCode: 'GASOIL' } });
    const list = await call('/partner/v1/units', { token: partner.token });
    expect(list.status).toBe(200);
    expect(list.body.data.items.map((unit: { code: string; kind: string; scale: number; label: string }) => [unit.code, unit.kind, unit.scale])).toEqual([
      ['XOF', 'money', 0],
      ['L-GASOIL', 'volume', 2],
    ]);
    const one = await call('/partner/v1/units/L-GASOIL', { token: partner.token });
    expect([one.status, one.body.data]).toEqual([200, expect.objectContaining({ code: 'L-GASOIL', kind: 'volume', scale: 2, label: 'Litres de gasoil' })]);
    const page = await call('/partner/v1/units?limit=1', { token: partner.token });
    expect([page.body.data.items.length, typeof page.body.data.nextCursor]).toEqual([1, 'string']);
  });

  it('when a unit is unknown or the partner lacks partner:units.read, then 404 3004 and 403 1006', async () => {
    const unknown = await call('/partner/v1/units/L-NOPE', { token: partner.token });
    expect([unknown.status, unknown.body.code]).toEqual([404, '3004']);
    const without = await contractedPartner(server, sdk(), { name: 'Sans unités', scopes: ['partner:cards.read'] });
    for (const path of ['/partner/v1/units', '/partner/v1/units/XOF']) {
      const answer = await call(path, { token: without.token });
      expect([path, answer.status, answer.body.code]).toEqual([path, 403, '1006']);
    }
  });
});
