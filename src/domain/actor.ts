/**
 * Who is acting: one value built once per request (or per CLI command, or per background
 * job) and passed to every domain call, reads included. The audit trail records it, the
 * partner gateway checks object ownership with it, maker-checker compares two of them.
 */

export interface Actor {
  /** A partner application (OAuth client), a back-office operator, or the system itself. */
  kind: 'partner' | 'operator' | 'system';
  /** The partner's or operator's id; null for the system. */
  id: string | null;
  /** A name people recognise in the audit trail. */
  name: string;
  /** The scopes (partners) or rights (operators) the actor holds for this call. */
  scopes: readonly string[];
  channel: 'api' | 'cli' | 'system';
  /** The request that carried the call, for calls through the API. */
  requestId: string | null;
  /** The client's IP address, for calls through the API. */
  address: string | null;
}

/** A named actor for work done outside a request: every system actor holds every right. */
function systemActor(name: string, channel: Actor['channel']): Actor {
  return Object.freeze({ kind: 'system', id: null, name, scopes: Object.freeze(['*']), channel, requestId: null, address: null });
}

/** The named system actors: the CLI, the demo data seeding and background work. */
export const SYSTEM_ACTORS = {
  cli: systemActor('CLI', 'cli'),
  demo: systemActor('Données de démonstration', 'system'),
  system: systemActor('Système', 'system'),
} as const;

/** A partner calling through the API with a verified credential. */
export function partnerActor(partner: { id: string; name: string; scopes: readonly string[] }, request: { requestId: string; address: string | null }): Actor {
  return { kind: 'partner', id: partner.id, name: partner.name, scopes: partner.scopes, channel: 'api', requestId: request.requestId, address: request.address };
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
