/**
 * What a caller of the partner administration may grant, and to whom: never more than it
 * holds itself. Core scopes (`core:*`) belong to internal applications only; a caller grants
 * only scopes its own token carries (so nobody widens its own), acts only on partners whose
 * scopes it carries, and only an internal caller sets whether a partner is internal, never
 * on its own record. System actors (CLI, demo data) hold everything but still give Core
 * scopes to internal partners only.
 */
import { oauthScopes } from '../../../generated/operations';
import type { Queryable } from '../../db/database';
import { holdsScope, type Actor } from '../actor';
import { AppError } from '../app-error';
import { partnerLines } from './lines';

const isCoreScope = (scope: string) => scope.startsWith('core:');

/**
 * The one rule of effective scopes: of the scopes a credential carries (a token's granted
 * ones; with the consumer-key and secret, the partner's own), those its partner holds now, Core
 * scopes only while the partner is internal, in the credential's order. Scopes taken from a
 * partner stop working on its live tokens at the next call. src/auth/identity.ts applies it to
 * every caller (bearer and Basic), the partner administration to the caller's authority.
 */
export function effectiveScopes(carried: readonly string[], partner: { scopes: readonly string[]; internal: boolean }): string[] {
  return carried.filter((scope) => partner.scopes.includes(scope) && (partner.internal || !isCoreScope(scope)));
}

/** What the caller holds for this call, read from the database inside the change's transaction. */
export interface Authority {
  actorId: string | null;
  /** System actors: every scope. */
  everything: boolean;
  internal: boolean;
  /** The scopes of the caller's credential that its partner still effectively holds. */
  scopes: ReadonlySet<string>;
}

/** The partner a change is about, as stored. */
export interface Target {
  id: string;
  scopes: readonly string[];
  internal: boolean;
}

export async function authorityOf(db: Queryable, actor: Actor): Promise<Authority> {
  if (actor.kind === 'system' && holdsScope(actor, '*')) return { actorId: null, everything: true, internal: true, scopes: new Set() };
  const [row] = actor.id ? await db.query<{ scopes: string[]; internal: boolean }>('SELECT scopes, internal FROM partners WHERE id = $1', [actor.id]) : [];
  return { actorId: actor.id, everything: false, internal: row?.internal ?? false, scopes: new Set(row ? effectiveScopes(actor.scopes, row) : actor.scopes) };
}

const notHeld = (authority: Authority, scopes: readonly string[]) => (authority.everything ? [] : scopes.filter((scope) => !authority.scopes.has(scope)));

/**
 * PARTNER_OUT_OF_REACH unless the caller carries every scope the target holds and, when the
 * target is internal, is internal itself: it may not update, rotate, disable or enable a
 * partner stronger than itself.
 */
export function checkReach(authority: Authority, target: Target): void {
  const beyond = notHeld(authority, target.scopes);
  if (beyond.length) {
    const self = target.id === authority.actorId;
    throw new AppError(
      'PARTNER_OUT_OF_REACH',
      self
        ? `This token does not carry all of the partner's own scopes (${beyond.join(', ')}): use a token asked without \`scope\` to change the partner's own record`
        : `Partner ${target.id} holds scopes the caller does not: ${beyond.join(', ')}`,
    );
  }
  if (target.internal && !authority.internal) throw new AppError('PARTNER_OUT_OF_REACH', `Partner ${target.id} is internal and the caller is not`);
}

/**
 * SCOPE_NOT_HELD for scopes the caller's token does not carry (on its own record: a widening),
 * then CORE_SCOPE_NOT_INTERNAL for Core scopes of a partner that is not (or will not be) internal.
 */
export function checkGrant(authority: Authority, scopes: readonly string[], target: { id: string | null; internal: boolean }): void {
  const lacking = notHeld(authority, scopes);
  if (lacking.length) {
    const debugMessage =
      target.id !== null && target.id === authority.actorId
        ? `A partner cannot widen its own scopes; its token does not carry: ${lacking.join(', ')}`
        : `The caller does not hold, so cannot grant: ${lacking.join(', ')}`;
    throw new AppError('SCOPE_NOT_HELD', debugMessage, { errors: [{ path: '/body/scopes', message: `not held by the caller: ${lacking.join(', ')}` }] });
  }
  const core = target.internal ? [] : scopes.filter(isCoreScope);
  if (core.length) {
    throw new AppError('CORE_SCOPE_NOT_INTERNAL', `Core scopes are for internal partners only: ${core.join(', ')}`, {
      errors: [{ path: '/body/scopes', message: `core scopes need an internal partner: ${core.join(', ')}` }],
    });
  }
}

/** INTERNAL_FLAG_NOT_ALLOWED unless the caller is internal and the record (null: a new partner) is not its own. */
export function checkInternalFlag(authority: Authority, targetId: string | null): void {
  if (!authority.internal)
    throw new AppError(
      'INTERNAL_FLAG_NOT_ALLOWED',
      targetId ? 'Only an internal partner can change whether a partner is internal' : 'Only an internal partner can create an internal partner',
    );
  if (targetId !== null && targetId === authority.actorId)
    throw new AppError('INTERNAL_FLAG_NOT_ALLOWED', 'A partner cannot change whether it is internal itself');
}

/** What a partner never changes on its own record: what it may reach, from where and how it authenticates. */
export type OwnAccess = 'contracts' | 'recharge limits' | 'allowedIps' | 'certificateThumbprints' | 'basicAllowed' | 'legacyBalanceAllowed';

/** True when the caller's token carries every Core scope: whatever a partner it made could be given, it already does through the Core API. */
const holdsAllOfCore = (authority: Authority) => Object.keys(oauthScopes).every((scope) => !isCoreScope(scope) || authority.scopes.has(scope));

/**
 * SELF_ADMINISTRATION_FORBIDDEN when the target is the caller or in the caller's line either
 * way (src/domain/partners/lines.ts): a partner that created the caller or made one of its
 * live secrets, or one the caller created (directly or through partners it created) or whose
 * live secret it made, which it can act as. Nobody changes the contracts, IP allow-list,
 * client certificates, authentication options or recharge limits of itself or of such a partner; another
 * administrator does. A caller carrying every Core scope may for the partners it made (it
 * widens nothing). `changing` names what the request would change.
 */
export async function checkNotOwnAccess(db: Queryable, authority: Authority, targetId: string, changing: readonly OwnAccess[]): Promise<void> {
  if (changing.length === 0 || authority.everything || authority.actorId === null) return;
  const self = authority.actorId;
  const lines = targetId === self ? null : await partnerLines(db, [self, targetId]);
  const above = lines?.get(self)?.has(targetId) ?? false;
  const below = !holdsAllOfCore(authority) && (lines?.get(targetId)?.has(self) ?? false);
  if (lines && !above && !below) return;
  const whose = !lines
    ? 'its own'
    : above
      ? `those of ${targetId}, which created it or made its secret,`
      : `those of ${targetId}, which it created or whose secret it made,`;
  throw new AppError('SELF_ADMINISTRATION_FORBIDDEN', `A partner cannot change ${whose} ${changing.join(', ')}; another administrator must`);
}

/** SELF_ADMINISTRATION_FORBIDDEN when a caller that may not set a new partner's access (checkNotOwnAccess) creates one with Basic allowed. */
export function checkNewPartnerAccess(authority: Authority, basicAllowed: boolean): void {
  if (!basicAllowed || authority.everything || authority.actorId === null || holdsAllOfCore(authority)) return;
  throw new AppError(
    'SELF_ADMINISTRATION_FORBIDDEN',
    'A partner cannot create a partner with basicAllowed, which it would hold the secret of; another administrator must allow it',
  );
}
