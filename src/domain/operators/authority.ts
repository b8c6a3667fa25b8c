/**
 * An operator's authority for one Core operation: it needs a grant of a role carrying the
 * operation's right (its x-operator-right) over a scope that covers what the operation acts
 * on. A grant over the issuer covers everything. A grant over a network, a client company or a
 * service point covers what sits inside it (a network: its client companies and service
 * points), and answers two ways:
 * - an operation whose path names a resource (a card, client, service point, network,
 *   vehicle, driver, operation or authorisation) is allowed when the resource sits within
 *   the scope; outside it, it answers exactly as an unknown id (404, the same code and text:
 *   no answer tells that it exists);
 * - an operation that declares `x-operator-scoped` (the lists, the card look-up) is allowed
 *   and answers only what lies within the scope: the scope's ids go on the actor
 *   (Actor.scopeOfAuthority) and the domain's statements keep to them
 *   (src/domain/scope-of-authority.ts);
 * any other operation (a creation, a voucher, the issuer's referential) needs the right over
 * the whole issuer: a narrower grant is refused with 403 code 4181.
 */
import type { Queryable } from '../../db/database';
import type { Actor } from '../actor';
import { AppError } from '../app-error';
import { networkMembers } from '../referential/networks';
import type { Operator } from './operators';

/**
 * How to place a resource a path parameter names: `find` gives the ids of the networks, client
 * companies or service points it sits at (an operation or authorisation may sit at a client's
 * card and a service point) and throws the owner's not-found for an unknown id; `notFound`
 * is that same answer, given for one outside the scope.
 */
interface Placing {
  find: (db: Queryable, actor: Actor, id: string) => Promise<readonly (string | null)[]>;
  notFound: (id: string) => AppError;
}

/** The path parameters that name a placed resource, in the order they are judged (the composition gives them: src/auth/operator-places.ts). */
export type Placings = readonly (readonly [parameter: string, placing: Placing])[];

/** What the operation is: the right it needs and whether it keeps its answer within a scope (x-operator-scoped). */
export interface OperatorOperation {
  right: string;
  scoped: boolean;
}

/**
 * Throws unless the operator may perform the operation on the resources its path names;
 * returns the ids its scope of authority covers for the operation's right, or undefined when
 * it holds the right over the issuer.
 */
export async function checkOperatorAuthority(
  db: Queryable,
  actor: Actor,
  operator: Operator,
  operation: OperatorOperation,
  path: Record<string, string>,
  placings: Placings,
): Promise<readonly string[] | undefined> {
  const { right } = operation;
  const grants = operator.grants.filter((grant) => grant.rights.includes(right));
  if (grants.length === 0) throw new AppError('OPERATOR_RIGHT_MISSING', `This operation needs the right ${right}, which none of your roles grants`);
  if (grants.some((grant) => grant.scope.kind === 'issuer')) return undefined;
  const granted = grants.map(({ scope }) => scope.id).filter((id): id is string => id !== null);
  const networks = grants.filter(({ scope }) => scope.kind === 'network').map(({ scope }) => scope.id as string);
  const scope = [...new Set([...granted, ...(await networkMembers(db, networks))])].sort();
  const named = placings.find(([parameter]) => path[parameter] !== undefined);
  if (named) {
    const [parameter, placing] = named;
    const places = await placing.find(db, actor, path[parameter]);
    if (!places.some((place) => place !== null && scope.includes(place))) throw placing.notFound(path[parameter]);
    return scope;
  }
  if (operation.scoped) return scope;
  throw new AppError(
    'OPERATOR_RIGHT_SCOPED',
    `This operation needs the right ${right} over the whole issuer; your roles grant it over some networks, clients or service points only`,
  );
}
