/**
 * An operator's scope of authority as the lists read it, stated once: an operator whose grants
 * of a call's right cover only some networks, client companies or service points (a fleet
 * manager, a station's staff) reads only the rows that sit within them; the actor carries
 * their ids (Actor.scopeOfAuthority). Every list a Core operation declares `x-operator-scoped`
 * for keeps its rows within the scope with authorityFilter, on the columns that say where a
 * row sits (its client company, its service point), so that outside the scope a row is
 * simply not there, from the same statement. A resource named in a path is judged before the
 * handler runs (operators/authority.ts), with the answer an unknown id gets.
 */
import type { Actor } from './actor';

/**
 * SQL true when one of `columns` (columns or expressions holding a client company's or a
 * service point's id) is among the scope's ids, given as the `?` parameter (a text array).
 */
export const withinAuthority = (columns: readonly string[]): string => `(${columns.map((column) => `${column} = ANY(?::text[])`).join(' OR ')})`;

/**
 * A whereClause filter (pagination.ts) keeping the rows within the actor's scope of authority,
 * `columns` as withinAuthority takes them; no condition when nothing narrows the actor.
 */
export const authorityFilter = (actor: Actor, columns: readonly string[]): [string, unknown] => [withinAuthority(columns), actor.scopeOfAuthority];
