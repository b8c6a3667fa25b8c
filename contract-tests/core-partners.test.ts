/** Core API: partner management, secret rotation with overlap, disable and enable. */
import { failure } from './support/http';
import { startTestServer, usedSecret, type TestServer } from './support/server';

let server: TestServer;
let token: string;
const admin = () => server.sdk({ token }).corePartners;
const tokenFor = async (key: string, secret: string) => (await server.sdk({ key, secret }).oauth.createToken({ grantType: 'client_credentials' })).access_token;
const refusedToken = async (key: string, secret: string) =>
  (await failure(server.sdk({ key, secret }).oauth.createToken({ grantType: 'client_credentials' }))).status;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
});
afterAll(() => server.stop());

async function newPartner(name: string) {
  const created = (await admin().createPartner({ partnerCreate: { name, scopes: ['partner:profile.read'] } })).data;
  usedSecret(created.consumerSecret);
  return created;
}

describe('partners', () => {
  it('when a partner is created, then its secret is shown once and works; reads never show it', async () => {
    const created = await newPartner('Moov Money');
    expect(created.consumerSecret).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ status: 'active', basicAllowed: false, scopes: ['partner:profile.read'] });
    await expect(tokenFor(created.consumerKey, created.consumerSecret)).resolves.toEqual(expect.any(String));

    const read = await server.sdk({ token }).corePartners.getPartnerRaw({ partnerId: created.id });
    const text = await read.raw.text();
    expect(text).not.toContain(created.consumerSecret);
    const listed = (await admin().listPartners({ limit: 100 })).data.items.map((partner) => partner.id);
    expect(listed).toContain(created.id);
  });

  it('when scopes are unknown or the id unknown, then it is 400 or 404 3011 and nothing changes', async () => {
    const before = (await admin().listPartners({ limit: 100 })).data.items.length;
    const unknownScope = await failure(admin().createPartner({ partnerCreate: { name: 'X', scopes: ['core:everything.write'] } }));
    expect([unknownScope.status, unknownScope.body.code, unknownScope.body.errors[0].path]).toEqual([400, '2001', '/body/scopes']);
    expect((await admin().listPartners({ limit: 100 })).data.items.length).toBe(before);
    const unknown = await failure(admin().getPartner({ partnerId: 'ptn_unknown' }));
    expect([unknown.status, unknown.body.code]).toEqual([404, '3011']);
  });

  it('when a partner is updated, then new tokens carry its new scopes and Basic follows basicAllowed', async () => {
    const partner = await newPartner('Wave CI');
    await admin().updatePartner({ partnerId: partner.id, partnerUpdate: { scopes: [], basicAllowed: true } });
    const scopeless = (await server.sdk({ key: partner.consumerKey, secret: partner.consumerSecret }).oauth.createToken({ grantType: 'client_credentials' }))
      .scope;
    expect(scopeless).toBe('');
    const basicCall = await failure(server.sdk({ key: partner.consumerKey, secret: partner.consumerSecret }).partner.getPartnerMe());
    expect([basicCall.status, basicCall.body.code]).toEqual([403, '1006']); // Basic accepted, scope missing
  });
});

describe('secret rotation', () => {
  it('when a secret is rotated, then the old one works during the overlap, and a second rotation stops it at once', async () => {
    const partner = await newPartner('Banque Atlantique');
    const first = (await admin().rotatePartnerSecret({ partnerId: partner.id, secretRotation: { overlapSeconds: 3600 } })).data;
    usedSecret(first.consumerSecret);
    expect(first.credentials).toHaveLength(2);
    expect(first.credentials[0].expiresAt).toBeNull();
    expect(new Date(first.credentials[1].expiresAt!).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    await expect(tokenFor(partner.consumerKey, partner.consumerSecret)).resolves.toEqual(expect.any(String));
    await expect(tokenFor(partner.consumerKey, first.consumerSecret)).resolves.toEqual(expect.any(String));

    const second = (await admin().rotatePartnerSecret({ partnerId: partner.id, secretRotation: { overlapSeconds: 3600 } })).data;
    usedSecret(second.consumerSecret);
    expect(await refusedToken(partner.consumerKey, partner.consumerSecret)).toBe(401);
    await expect(tokenFor(partner.consumerKey, first.consumerSecret)).resolves.toEqual(expect.any(String));
    await expect(tokenFor(partner.consumerKey, second.consumerSecret)).resolves.toEqual(expect.any(String));
  });

  it('when the overlap is 0, then the old secret stops at once but tokens already issued live on', async () => {
    const partner = await newPartner('Ecobank');
    const issued = await tokenFor(partner.consumerKey, partner.consumerSecret);
    const rotated = (await admin().rotatePartnerSecret({ partnerId: partner.id, secretRotation: { overlapSeconds: 0 } })).data;
    usedSecret(rotated.consumerSecret);
    expect(await refusedToken(partner.consumerKey, partner.consumerSecret)).toBe(401);
    expect((await server.sdk({ token: issued }).partner.getPartnerMe()).data.partnerId).toBe(partner.id);
  });

  it('when the overlap is out of range, then it is 400 and no secret is made', async () => {
    const partner = await newPartner('SGBCI');
    const answer = await failure(admin().rotatePartnerSecret({ partnerId: partner.id, secretRotation: { overlapSeconds: -1 } }));
    expect(answer.status).toBe(400);
    expect((await admin().getPartner({ partnerId: partner.id })).data.credentials).toHaveLength(1);
  });
});

describe('disable and enable', () => {
  it('when a partner is disabled, then its tokens and secrets stop at once, and enabling it brings back the secret but not the tokens', async () => {
    const partner = await newPartner('Flotte Connect');
    const issued = await tokenFor(partner.consumerKey, partner.consumerSecret);
    expect((await admin().disablePartner({ partnerId: partner.id })).data.status).toBe('disabled');
    expect((await failure(server.sdk({ token: issued }).partner.getPartnerMe())).status).toBe(401);
    expect(await refusedToken(partner.consumerKey, partner.consumerSecret)).toBe(401);
    const again = await failure(admin().disablePartner({ partnerId: partner.id }));
    expect([again.status, again.body.code]).toEqual([409, '4001']);

    await admin().enablePartner({ partnerId: partner.id });
    expect((await failure(server.sdk({ token: issued }).partner.getPartnerMe())).status).toBe(401);
    await expect(tokenFor(partner.consumerKey, partner.consumerSecret)).resolves.toEqual(expect.any(String));

    const events = (await server.sdk({ token }).coreAudit.listAuditEvents({ resourceType: 'partner', resourceId: partner.id })).data.items;
    expect(events.map((event) => event.action)).toEqual(['partner.created', 'partner.disabled', 'partner.enabled']);
    expect(JSON.stringify(events)).not.toContain(partner.consumerSecret);
  });
});
