/**
 * Where the embedded OpenID provider keeps its sessions, interactions, codes, grants and
 * tokens: this process's memory, forgotten when it stops (the demo's provider serves one
 * instance). The shape is oidc-provider's adapter interface, one adapter per model over one
 * store; entries expire with their lifetime, and a grant's revocation removes every token
 * issued under it (what the provider does when a used refresh token comes back).
 */
import type { Adapter, AdapterPayload as Payload } from 'oidc-provider';

interface Entry {
  payload: Payload;
  /** Milliseconds since the epoch; Infinity when the provider gave no lifetime. */
  expiresAt: number;
}

/** The models whose entries belong to a grant (revoked with it). */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

/** One store for every model of one provider: what the provider's `adapter` setting takes (an adapter per model). */
export function memoryStore(): (model: string) => Adapter {
  const entries = new Map<string, Entry>();
  const grants = new Map<string, Set<string>>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();

  const read = (key: string): Payload | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  // Expired entries are dropped as they are read and by this sweep, so the store does not grow.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
  }, 60_000);
  sweep.unref();

  return (model: string) => {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id: string, payload: Payload, expiresIn?: number) {
        const key = keyOf(id);
        entries.set(key, { payload, expiresAt: typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity });
        if (GRANTABLE.has(model) && payload.grantId) {
          const members = grants.get(payload.grantId) ?? new Set<string>();
          members.add(key);
          grants.set(payload.grantId, members);
        }
        if (model === 'Session' && payload.uid) byUid.set(payload.uid, id);
        if (payload.userCode) byUserCode.set(payload.userCode, id);
      },
      find: async (id: string) => read(keyOf(id)),
      findByUid: async (uid: string) => {
        const id = byUid.get(uid);
        return id === undefined ? undefined : read(keyOf(id));
      },
      findByUserCode: async (userCode: string) => {
        const id = byUserCode.get(userCode);
        return id === undefined ? undefined : read(keyOf(id));
      },
      async consume(id: string) {
        const payload = read(keyOf(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id: string) {
        entries.delete(keyOf(id));
      },
      async revokeByGrantId(grantId: string) {
        for (const key of grants.get(grantId) ?? []) entries.delete(key);
        grants.delete(grantId);
      },
    };
  };
}
