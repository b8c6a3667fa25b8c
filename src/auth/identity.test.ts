import type { Queryable } from '../db/database';
import { verifyAccessToken } from './identity';
import { hashSecret } from '../domain/partners/secrets';

interface LiveToken {
  partner: string;
  expiresAt: Date;
  /** The token's granted scopes and its partner's, as stored (default: partner:profile.read for both). */
  scopes?: string[];
  partnerScopes?: string[];
  internal?: boolean;
}

/** A database holding live tokens by hash; it counts the lookup queries it answers. */
function fakeDatabase(live: Map<string, LiveToken>) {
  const queries: string[][] = [];
  const db: Queryable & { queries: string[][]; failing: boolean } = {
    queries,
    failing: false,
    async query<Row>(_sql: string, params: unknown[] = []) {
      if (db.failing) throw new Error('connection lost');
      const hashes = params[0] as string[];
      queries.push(hashes);
      // Rows name the position of their hash in the batch (unnest ... WITH ORDINALITY).
      return hashes.flatMap((hash, index) => {
        const token = live.get(hash);
        if (!token) return [];
        const scopes = token.scopes ?? ['partner:profile.read'];
        return [
          {
            ord: String(index + 1),
            partner_id: token.partner,
            name: `Partner ${token.partner}`,
            token_scopes: scopes,
            partner_scopes: token.partnerScopes ?? scopes,
            internal: token.internal ?? false,
            allowed_ips: [],
            expires_at: token.expiresAt,
          },
        ];
      }) as Row[];
    },
    async exec() {},
    transaction: (work) => work(db),
    beforeCommit: () => {
      throw new Error('not a transaction');
    },
  };
  return db;
}

const inAnHour = () => new Date(Date.now() + 3_600_000);

describe('verifyAccessToken', () => {
  it('when several tokens are verified in the same turn, then one query answers each with its own credential', async () => {
    const db = fakeDatabase(
      new Map([
        [hashSecret('tok-a'), { partner: 'ptn_a', expiresAt: inAnHour() }],
        [hashSecret('tok-b'), { partner: 'ptn_b', expiresAt: inAnHour() }],
      ]),
    );

    const [a, b, again, unknown] = await Promise.allSettled([
      verifyAccessToken(db, 'tok-a'),
      verifyAccessToken(db, 'tok-b'),
      verifyAccessToken(db, 'tok-a'),
      verifyAccessToken(db, 'tok-unknown'),
    ]);

    expect(db.queries).toHaveLength(1);
    expect(a).toMatchObject({ status: 'fulfilled', value: { partnerId: 'ptn_a', method: 'bearer' } });
    expect(b).toMatchObject({ status: 'fulfilled', value: { partnerId: 'ptn_b' } });
    expect(again).toMatchObject({ status: 'fulfilled', value: { partnerId: 'ptn_a' } });
    expect(unknown).toMatchObject({ status: 'rejected', reason: { codeName: 'TOKEN_INVALID' } });
  });

  it('when a token stops being live between two calls, then the next call is refused (lookups are never cached)', async () => {
    const live = new Map([[hashSecret('tok-a'), { partner: 'ptn_a', expiresAt: inAnHour() }]]);
    const db = fakeDatabase(live);
    await expect(verifyAccessToken(db, 'tok-a')).resolves.toMatchObject({ partnerId: 'ptn_a' });

    live.delete(hashSecret('tok-a')); // revoked, or its partner disabled

    await expect(verifyAccessToken(db, 'tok-a')).rejects.toMatchObject({ codeName: 'TOKEN_INVALID' });
    expect(db.queries).toHaveLength(2);
  });

  it("when its partner no longer holds a scope, or is no longer internal, then the credential carries only what the partner still effectively holds, in the token's order", async () => {
    const scopes = ['partner:cards.read', 'core:cards.read', 'partner:profile.read', 'core:partners.read'];
    const db = fakeDatabase(
      new Map([
        [
          hashSecret('tok-internal'),
          { partner: 'ptn_i', expiresAt: inAnHour(), scopes, partnerScopes: ['core:partners.read', 'partner:profile.read', 'core:cards.read'], internal: true },
        ],
        [hashSecret('tok-external'), { partner: 'ptn_e', expiresAt: inAnHour(), scopes, partnerScopes: scopes, internal: false }],
      ]),
    );
    await expect(verifyAccessToken(db, 'tok-internal')).resolves.toMatchObject({ scopes: ['core:cards.read', 'partner:profile.read', 'core:partners.read'] });
    await expect(verifyAccessToken(db, 'tok-external')).resolves.toMatchObject({ scopes: ['partner:cards.read', 'partner:profile.read'] });
  });

  it('when the token expired, then it is TOKEN_EXPIRED', async () => {
    const db = fakeDatabase(new Map([[hashSecret('tok-old'), { partner: 'ptn_a', expiresAt: new Date(Date.now() - 1000) }]]));
    await expect(verifyAccessToken(db, 'tok-old')).rejects.toMatchObject({ codeName: 'TOKEN_EXPIRED' });
  });

  it('when the lookup query fails, then every call of the batch fails with its error', async () => {
    const db = fakeDatabase(new Map());
    db.failing = true;
    const results = await Promise.allSettled([verifyAccessToken(db, 'tok-a'), verifyAccessToken(db, 'tok-b')]);
    expect(results).toEqual([
      { status: 'rejected', reason: new Error('connection lost') },
      { status: 'rejected', reason: new Error('connection lost') },
    ]);
  });

  it('when more lookups than a batch holds arrive at once, then they are split over several queries', async () => {
    const db = fakeDatabase(new Map());
    await Promise.allSettled(Array.from({ length: 250 }, (_, index) => verifyAccessToken(db, `tok-${index}`)));
    expect(db.queries.map((hashes) => hashes.length)).toEqual([100, 100, 50]);
  });
});
