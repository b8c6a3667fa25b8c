/**
 * `core:partners.write` never gives more than its holder has: a caller grants only scopes its
 * token carries, nobody widens its own scopes, Core scopes go to internal partners only, a
 * partner holding more than the caller is out of its reach, and rotating another partner's
 * secret is recorded and visible to the owner.
 */
import { basic, call, failure } from './support/http';
import { startTestServer, usedSecret, type TestServer } from './support/server';
import { newClient, newNetwork } from './support/world';

let server: TestServer;
let root: string;
const sdkOf = (token: string) => server.sdk({ token }).corePartners;
const rootAdmin = () => sdkOf(root);

/** An internal administrator holding exactly these scopes (plus core:partners.write and .read), with a token carrying them all. */
async function administrator(scopes: string[] = []) {
  const partner = await server.partner({ name: 'Outil interne', scopes: ['core:partners.write', 'core:partners.read', ...scopes], internal: true });
  return { ...partner, token: await server.token(partner.key, partner.secret) };
}

/** The stored partner as the root administrator reads it. */
const stored = async (partnerId: string) => (await rootAdmin().getPartner({ partnerId })).data;
const partnerCount = async () => (await server.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM partners'))[0].n;

beforeAll(async () => {
  server = await startTestServer();
  root = await server.coreToken();
});
afterAll(() => server.stop());

describe('creating a partner', () => {
  it('when the caller grants a scope its token does not carry, then it is 403 1015 naming the scope, and nothing is created', async () => {
    const admin = await administrator(['partner:profile.read']);
    const before = await partnerCount();
    const refused = await failure(
      sdkOf(admin.token).createPartner({ partnerCreate: { name: 'Escalade', scopes: ['partner:profile.read', 'core:cards.reveal'], internal: true } }),
    );
    expect([refused.status, refused.body.code, refused.body.errors]).toEqual([
      403,
      '1015',
      [{ path: '/body/scopes', message: expect.stringContaining('core:cards.reveal') }],
    ]);
    expect(refused.body.debugMessage).toContain('core:cards.reveal');
    expect(refused.body.debugMessage).not.toContain('partner:profile.read');
    expect(await partnerCount()).toBe(before);
  });

  it('when the token was asked for fewer scopes than the partner holds, then it grants only those the token carries', async () => {
    const admin = await administrator(['partner:profile.read']);
    const narrow = await server.token(admin.key, admin.secret, 'core:partners.write');
    const refused = await failure(sdkOf(narrow).createPartner({ partnerCreate: { name: 'Escalade', scopes: ['partner:profile.read'] } }));
    expect([refused.status, refused.body.code]).toEqual([403, '1015']);
  });

  it('when Core scopes are asked for a partner that is not internal, then it is 403 1016 and nothing is created', async () => {
    const before = await partnerCount();
    const refused = await failure(rootAdmin().createPartner({ partnerCreate: { name: 'Banque', scopes: ['partner:profile.read', 'core:cards.read'] } }));
    expect([refused.status, refused.body.code, refused.body.errors[0].message]).toEqual([403, '1016', expect.stringContaining('core:cards.read')]);
    expect(await partnerCount()).toBe(before);
  });

  it('when an internal caller creates an internal partner with scopes it holds, then the partner is internal and its token carries them', async () => {
    const admin = await administrator(['core:cards.read']);
    const created = (await sdkOf(admin.token).createPartner({ partnerCreate: { name: 'Outil flotte', scopes: ['core:cards.read'], internal: true } })).data;
    usedSecret(created.consumerSecret);
    expect(created).toMatchObject({ internal: true, scopes: ['core:cards.read'], credentials: [{ createdBy: admin.id }] });
    expect(await server.token(created.consumerKey, created.consumerSecret)).toEqual(expect.any(String));
    const plain = (await sdkOf(admin.token).createPartner({ partnerCreate: { name: 'Wave', scopes: [] } })).data;
    usedSecret(plain.consumerSecret);
    expect(plain.internal).toBe(false);
  });
});

describe('updating a partner', () => {
  it('when a partner widens its own scopes, then it is 403 1015 and its record is unchanged', async () => {
    const admin = await administrator();
    const before = await stored(admin.id);
    const refused = await failure(
      sdkOf(admin.token).updatePartner({ partnerId: admin.id, partnerUpdate: { scopes: [...before.scopes, 'core:cards.reveal'], name: 'Renommé' } }),
    );
    expect([refused.status, refused.body.code, refused.body.errors[0].message]).toEqual([403, '1015', expect.stringContaining('core:cards.reveal')]);
    expect(await stored(admin.id)).toEqual(before);
  });

  it('when a partner narrows its own scopes, then it may', async () => {
    const admin = await administrator(['core:cards.read']);
    const narrowed = (await sdkOf(admin.token).updatePartner({ partnerId: admin.id, partnerUpdate: { scopes: ['core:partners.write', 'core:partners.read'] } }))
      .data;
    expect(narrowed.scopes).toEqual(['core:partners.write', 'core:partners.read']);
  });

  it('when the caller grants another partner a scope it lacks, or Core scopes to a partner that is not internal, then it is 403 1015 or 1016 and nothing changes', async () => {
    const admin = await administrator(['partner:profile.read']);
    const target = await server.partner({ scopes: ['partner:profile.read'] });
    const before = await stored(target.id);
    const lacking = await failure(
      sdkOf(admin.token).updatePartner({ partnerId: target.id, partnerUpdate: { scopes: ['partner:profile.read', 'core:cards.reveal'] } }),
    );
    expect([lacking.status, lacking.body.code]).toEqual([403, '1015']);
    const core = await failure(sdkOf(admin.token).updatePartner({ partnerId: target.id, partnerUpdate: { scopes: ['core:partners.read'] } }));
    expect([core.status, core.body.code, core.body.errors[0].message]).toEqual([403, '1016', expect.stringContaining('core:partners.read')]);
    expect(await stored(target.id)).toEqual(before);
  });

  it('when the target holds a scope the caller lacks, then even a harmless change is 403 1017 and nothing changes', async () => {
    const admin = await administrator();
    const stronger = await server.partner({ scopes: ['partner:profile.read', 'core:cards.reveal'] });
    const before = await stored(stronger.id);
    const refused = await failure(sdkOf(admin.token).updatePartner({ partnerId: stronger.id, partnerUpdate: { name: 'Renommé', scopes: [] } }));
    expect([refused.status, refused.body.code]).toEqual([403, '1017']);
    expect(refused.body.debugMessage).toContain('core:cards.reveal');
    expect(await stored(stronger.id)).toEqual(before);
  });

  it('when a partner changes its own internal flag, then it is 403 1018; a partner keeping Core scopes stays internal (1016)', async () => {
    const admin = await administrator();
    const own = await failure(sdkOf(admin.token).updatePartner({ partnerId: admin.id, partnerUpdate: { internal: false } }));
    expect([own.status, own.body.code]).toEqual([403, '1018']);
    expect((await stored(admin.id)).internal).toBe(true);

    const keeping = await failure(rootAdmin().updatePartner({ partnerId: admin.id, partnerUpdate: { internal: false } }));
    expect([keeping.status, keeping.body.code]).toEqual([403, '1016']);
    const demoted = (await rootAdmin().updatePartner({ partnerId: admin.id, partnerUpdate: { internal: false, scopes: [] } })).data;
    expect(demoted).toMatchObject({ internal: false, scopes: [] });
  });
});

describe('rotating, disabling and enabling a partner', () => {
  it('when the target holds a scope the caller lacks, then rotating, disabling and enabling are 403 1017 and its secrets and status are unchanged', async () => {
    const admin = await administrator(['partner:profile.read']);
    const stronger = await server.partner({ scopes: ['partner:profile.read', 'core:cards.reveal'] });
    const before = await stored(stronger.id);
    for (const attempt of [
      sdkOf(admin.token).rotatePartnerSecret({ partnerId: stronger.id, secretRotation: { overlapSeconds: 3600 } }),
      sdkOf(admin.token).disablePartner({ partnerId: stronger.id }),
    ]) {
      const refused = await failure(attempt);
      expect([refused.status, refused.body.code]).toEqual([403, '1017']);
    }
    await rootAdmin().disablePartner({ partnerId: stronger.id });
    const enabling = await failure(sdkOf(admin.token).enablePartner({ partnerId: stronger.id }));
    expect([enabling.status, enabling.body.code]).toEqual([403, '1017']);
    expect(await stored(stronger.id)).toMatchObject({ status: 'disabled', credentials: before.credentials });
    await expect(
      server.token(stronger.key, stronger.secret).then(
        () => 'issued',
        () => 'refused',
      ),
    ).resolves.toBe('refused');
  });

  it("when another partner's secret is rotated, then the audit trail and a security event name the caller, and the owner sees it in /partner/v1/me", async () => {
    const admin = await administrator(['partner:profile.read']);
    const owner = await server.partner({ scopes: ['partner:profile.read'] });
    const ownerToken = await server.token(owner.key, owner.secret);
    const rotated = (await sdkOf(admin.token).rotatePartnerSecret({ partnerId: owner.id, secretRotation: { overlapSeconds: 3600 } })).data;
    usedSecret(rotated.consumerSecret);

    const events = await call(`${server.url}/core/v1/security-events?${new URLSearchParams({ partnerId: owner.id, type: 'partner.secret-rotated' })}`, {
      headers: { authorization: `Bearer ${root}` },
    });
    expect(events.body.data.items).toEqual([expect.objectContaining({ partnerId: owner.id, actorId: admin.id, channel: 'api' })]);
    const audit = (await server.sdk({ token: root }).coreAudit.listAuditEvents({ resourceType: 'partner', resourceId: owner.id })).data.items;
    expect(audit.find((event) => event.action === 'partner.secret-rotated')).toMatchObject({ actor: { id: admin.id } });

    const me = (await server.sdk({ token: ownerToken }).partner.getPartnerMe()).data;
    expect(me.credentials).toEqual([
      { id: rotated.credentials[0].id, createdAt: expect.any(Date), expiresAt: null, createdBy: admin.id },
      { id: expect.stringMatching(/^sec_/), createdAt: expect.any(Date), expiresAt: expect.any(Date), createdBy: null },
    ]);
    expect(me.internal).toBe(false);
  });
});

describe('issuing and using tokens', () => {
  it('when a partner that is not internal somehow holds a Core scope, then no token of it ever carries that scope', async () => {
    const partner = await server.partner({ scopes: ['partner:profile.read'], basicAllowed: true });
    await server.database.db.query("UPDATE partners SET scopes = ARRAY['partner:profile.read', 'core:cards.read'] WHERE id = $1", [partner.id]);
    const answer = await server.sdk({ key: partner.key, secret: partner.secret }).oauth.createToken({ grantType: 'client_credentials' });
    usedSecret(answer.access_token);
    expect(answer.scope).toBe('partner:profile.read');
    const asked = await failure(
      server.sdk({ key: partner.key, secret: partner.secret }).oauth.createToken({ grantType: 'client_credentials', scope: 'core:cards.read' }),
    );
    expect([asked.status, asked.body.code]).toEqual([400, '1007']);
    const cards = await failure(server.sdk({ token: answer.access_token }).coreCards.listCards({}));
    expect([cards.status, cards.body.code]).toEqual([403, '1006']);
    const withBasic = await call(`${server.url}/partner/v1/me`, { headers: { authorization: basic(partner.key, partner.secret) } });
    expect([withBasic.status, withBasic.body.data.scopes]).toEqual([200, ['partner:profile.read']]);
  });

  it('when an internal partner stops being internal while its token is live, then the token loses its Core scopes at the next call', async () => {
    const partner = await server.partner({ scopes: ['partner:profile.read', 'core:cards.read'], internal: true });
    const token = await server.token(partner.key, partner.secret);
    expect((await server.sdk({ token }).coreCards.listCards({})).success).toBe(true);
    await server.database.db.query('UPDATE partners SET internal = false WHERE id = $1', [partner.id]);
    const refused = await failure(server.sdk({ token }).coreCards.listCards({}));
    expect([refused.status, refused.body.code]).toEqual([403, '1006']);
    expect((await server.sdk({ token }).partner.getPartnerMe()).data.scopes).toEqual(['partner:profile.read']);
  });

  it("when a partner's scopes are narrowed, then a token asked afterwards never exceeds its current scopes", async () => {
    const admin = await administrator(['partner:profile.read', 'core:cards.read']);
    const target = await server.partner({ scopes: ['partner:profile.read', 'core:cards.read'], internal: true });
    await sdkOf(admin.token).updatePartner({ partnerId: target.id, partnerUpdate: { scopes: ['partner:profile.read'] } });
    const asked = await failure(
      server
        .sdk({ key: target.key, secret: target.secret })
        .oauth.createToken({ grantType: 'client_credentials', scope: 'partner:profile.read core:cards.read' }),
    );
    expect([asked.status, asked.body.code]).toEqual([400, '1007']);
    const answer = await server.sdk({ key: target.key, secret: target.secret }).oauth.createToken({ grantType: 'client_credentials' });
    usedSecret(answer.access_token);
    expect(answer.scope).toBe('partner:profile.read');
  });
});

describe("administering oneself: core:partners.write never widens its holder's own reach", () => {
  /** A client of a fresh network: something to be contracted for. */
  async function someClient(code: string): Promise<string> {
    const core = server.sdk({ token: root });
    return newClient(core, await newNetwork(core, `RES-${code}`), code, 'Transports Ivoiriens');
  }
  const contractsOf = async (partnerId: string) => (await rootAdmin().listPartnerContracts({ partnerId })).data.items;

  it('when a limited internal administrator adds or ends a contract of its own, then it is 403 4100 and its contracts are unchanged', async () => {
    const admin = await administrator(['partner:recharges.write']);
    const clientId = await someClient('SELF-CTR');
    const refused = await failure(sdkOf(admin.token).createPartnerContract({ partnerId: admin.id, partnerContractCreate: { clientId } }));
    expect([refused.status, refused.body.code]).toEqual([403, '4100']);
    expect(await contractsOf(admin.id)).toEqual([]);

    const contract = (await rootAdmin().createPartnerContract({ partnerId: admin.id, partnerContractCreate: { clientId } })).data;
    const ending = await failure(
      sdkOf(admin.token).endPartnerContract({ partnerId: admin.id, contractId: contract.id, partnerContractEnd: { reason: 'Fin' } }),
    );
    expect([ending.status, ending.body.code]).toEqual([403, '4100']);
    expect(await contractsOf(admin.id)).toEqual([contract]);
  });

  it('when a partner clears its own IP allow-list or turns on Basic or the legacy balance enquiry for itself, then it is 403 4100 and its record is unchanged', async () => {
    const admin = await administrator();
    await rootAdmin().updatePartner({ partnerId: admin.id, partnerUpdate: { allowedIps: ['127.0.0.0/8', '::1/128'] } });
    const before = await stored(admin.id);
    for (const partnerUpdate of [{ allowedIps: [] }, { basicAllowed: true }, { legacyBalanceAllowed: true }, { name: 'Renommé', allowedIps: ['10.0.0.0/8'] }]) {
      const refused = await failure(sdkOf(admin.token).updatePartner({ partnerId: admin.id, partnerUpdate }));
      expect([refused.status, refused.body.code, Object.keys(partnerUpdate).some((field) => refused.body.debugMessage.includes(field))]).toEqual([
        403,
        '4100',
        true,
      ]);
    }
    expect(await stored(admin.id)).toEqual(before);
  });

  it('when a partner sets its own recharge limits, then it is 403 4100 and they are unchanged', async () => {
    const admin = await administrator();
    const refused = await failure(
      sdkOf(admin.token).setPartnerRechargeLimits({
        partnerId: admin.id,
        rechargeLimits: { limits: [{ unit: 'XOF', perOperation: null, perDay: null, perCardPerDay: null }] },
      }),
    );
    expect([refused.status, refused.body.code]).toEqual([403, '4100']);
    expect((await rootAdmin().getPartnerRechargeLimits({ partnerId: admin.id })).data.limits).toEqual([]);
  });

  it('when a limited administrator changes the access of a partner it created, directly or through another, or whose secret it made, then it is 403 4100 and nothing changes', async () => {
    const admin = await administrator(['partner:cards.read']);
    const clientId = await someClient('DOWN-CTR');
    const basic = await failure(sdkOf(admin.token).createPartner({ partnerCreate: { name: 'Relais', scopes: ['partner:cards.read'], basicAllowed: true } }));
    expect([basic.status, basic.body.code]).toEqual([403, '4100']);
    const created = (await sdkOf(admin.token).createPartner({ partnerCreate: { name: 'Relais', scopes: ['partner:cards.read'] } })).data;
    usedSecret(created.consumerSecret);
    const relay = (
      await sdkOf(admin.token).createPartner({ partnerCreate: { name: 'Relais admin', scopes: ['core:partners.write', 'partner:cards.read'], internal: true } })
    ).data;
    usedSecret(relay.consumerSecret);
    const grandchild = (
      await sdkOf(await server.token(relay.consumerKey, relay.consumerSecret)).createPartner({
        partnerCreate: { name: 'Petit relais', scopes: ['partner:cards.read'] },
      })
    ).data;
    usedSecret(grandchild.consumerSecret);
    const rotatedOne = await server.partner({ scopes: ['partner:cards.read'] });
    usedSecret((await sdkOf(admin.token).rotatePartnerSecret({ partnerId: rotatedOne.id, secretRotation: { overlapSeconds: 0 } })).data.consumerSecret);

    for (const partnerId of [created.id, grandchild.id, rotatedOne.id]) {
      const before = await stored(partnerId);
      for (const attempt of [
        sdkOf(admin.token).createPartnerContract({ partnerId, partnerContractCreate: { clientId } }),
        sdkOf(admin.token).updatePartner({ partnerId, partnerUpdate: { basicAllowed: true } }),
        sdkOf(admin.token).updatePartner({ partnerId, partnerUpdate: { allowedIps: ['10.0.0.0/8'] } }),
        sdkOf(admin.token).setPartnerRechargeLimits({
          partnerId,
          rechargeLimits: { limits: [{ unit: 'XOF', perOperation: null, perDay: null, perCardPerDay: null }] },
        }),
      ]) {
        const refused = await failure(attempt);
        expect([refused.status, refused.body.code, refused.body.debugMessage]).toEqual([403, '4100', expect.stringContaining(partnerId)]);
      }
      expect(await stored(partnerId)).toEqual(before);
      expect(await contractsOf(partnerId)).toEqual([]);
    }
  });

  it('when an administrator carrying every Core scope contracts a partner it created, then it may (it widens nothing)', async () => {
    const created = (await rootAdmin().createPartner({ partnerCreate: { name: 'Station', scopes: [], basicAllowed: true } })).data;
    usedSecret(created.consumerSecret);
    const clientId = await someClient('ROOT-CTR');
    expect((await rootAdmin().createPartnerContract({ partnerId: created.id, partnerContractCreate: { clientId } })).data.clientId).toBe(clientId);
  });

  it('when a partner renames itself, narrows its scopes or sends its own options unchanged, then it may; another administrator changes its options', async () => {
    const admin = await administrator(['core:cards.read']);
    const current = await stored(admin.id);
    const renamed = (
      await sdkOf(admin.token).updatePartner({
        partnerId: admin.id,
        partnerUpdate: {
          name: 'Outil renommé',
          scopes: ['core:partners.write', 'core:partners.read'],
          allowedIps: current.allowedIps,
          basicAllowed: false,
          legacyBalanceAllowed: false,
        },
      })
    ).data;
    expect(renamed).toMatchObject({ name: 'Outil renommé', scopes: ['core:partners.write', 'core:partners.read'] });
    const other = await administrator();
    expect((await sdkOf(other.token).updatePartner({ partnerId: admin.id, partnerUpdate: { basicAllowed: true } })).data.basicAllowed).toBe(true);
  });
});
