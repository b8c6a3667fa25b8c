/**
 * Who is acting: one value built once per request (or per CLI command, or per background
 * job) and passed to every domain call, reads included. The audit trail records it, the
 * partner gateway checks object ownership with it, maker-checker compares two of them; the
 * texts a read gives (src/domain/messages.ts) are in its language.
 */
import { DEFAULT_LANGUAGE, type Language } from './messages';

export interface Actor {
  /** A partner application (OAuth client), a back-office operator, or the system itself. */
  kind: 'partner' | 'operator' | 'system';
  /** The partner's or operator's id; null for the system. */
  id: string | null;
  /** A name people recognise in the audit trail. */
  name: string;
  /** An operator's subject at its identity provider (absent for partners and the system). */
  subject?: string;
  /** The scopes (partners) or rights (operators) the actor holds for this call. */
  scopes: readonly string[];
  channel: 'api' | 'cli' | 'system';
  /** The request that carried the call, for calls through the API. */
  requestId: string | null;
  /** The client's IP address, for calls through the API. */
  address: string | null;
  /** The language the caller reads (Accept-Language through the API): texts inside answers are in it. */
  language: Language;
  /**
   * An operator whose grants of the call's right cover only some networks, client companies or
   * service points: their ids, each network's client companies and service points included
   * (src/domain/scope-of-authority.ts keeps lists within them). Absent when nothing narrows
   * the call: an operator with the right over the issuer, a partner, the system.
   */
  scopeOfAuthority?: readonly string[];
}

/** A named actor for work done outside a request: every system actor holds every right. */
function systemActor(name: string, channel: Actor['channel']): Actor {
  return Object.freeze({ kind: 'system', id: null, name, scopes: Object.freeze(['*']), channel, requestId: null, address: null, language: DEFAULT_LANGUAGE });
}

/** The named system actors: the CLI, the demo data seeding and background work. */
export const SYSTEM_ACTORS = {
  cli: systemActor('CLI', 'cli'),
  demo: systemActor('Données de démonstration', 'system'),
  system: systemActor('Système', 'system'),
} as const;

/**
 * The outside world a sandbox partner simulates (a station, the issuer's back office): a system
 * actor named after the partner that asked, in its request, so that its Idempotency-Keys are
 * that partner's alone and the audit trail says whose simulation it was.
 */
export function simulatorActor(partner: Actor): Actor {
  return Object.freeze({
    kind: 'system' as const,
    id: null,
    name: `Simulateur du bac à sable pour ${partner.id ?? partner.name}`,
    scopes: Object.freeze(['*']),
    channel: 'api' as const,
    requestId: partner.requestId,
    address: partner.address,
    language: partner.language,
  });
}

/** A partner calling through the API with a verified credential. */
export function partnerActor(
  partner: { id: string; name: string; scopes: readonly string[] },
  request: { requestId: string; address: string | null; language?: Language },
): Actor {
  return {
    kind: 'partner',
    id: partner.id,
    name: partner.name,
    scopes: partner.scopes,
    channel: 'api',
    requestId: request.requestId,
    address: request.address,
    language: request.language ?? DEFAULT_LANGUAGE,
  };
}

/** An operator (a person of the back office) calling through the API with a verified token: it holds the rights of its roles. */
export function operatorActor(
  operator: { id: string; subject: string; displayName: string; grants: readonly { rights: readonly string[] }[] },
  request: { requestId: string; address: string | null; language?: Language },
): Actor {
  return {
    kind: 'operator',
    id: operator.id,
    name: operator.displayName,
    subject: operator.subject,
    scopes: [...new Set(operator.grants.flatMap((grant) => grant.rights))].sort(),
    channel: 'api',
    requestId: request.requestId,
    address: request.address,
    language: request.language ?? DEFAULT_LANGUAGE,
  };
}

/** True when the actor holds the scope (system actors hold every scope). */
export function holdsScope(actor: Actor, scope: string): boolean {
  return actor.scopes.includes(scope) || (actor.kind === 'system' && actor.scopes.includes('*'));
}

/** The partner's id, for the 3rd Party API's use-cases (which only partners reach). */
export function partnerIdOf(actor: Actor): string {
  if (actor.kind !== 'partner' || actor.id === null) throw new Error(`a 3rd Party API use-case called by a ${actor.kind} actor`);
  return actor.id;
}
