/**
 * An operator's authority for one Core operation: it needs a grant of a role carrying the
 * operation's right (its x-operator-right) over a scope that covers what the operation acts
 * on. A grant over the issuer covers everything. A grant over a network, a client company or a
 * service point covers an operation whose path names a card, client, service point or network
 * inside it; a resource outside it answers as if it did not exist (404 with its own code, as a
 * partner is answered for a card it is not contracted for). An operation whose path names none
 * of those (lists, creations, vouchers...) needs the right over the whole issuer: a narrower
 * grant is refused with 403 code 4181 rather than guessing what the operation will touch.
 */
import type { Queryable } from '../../db/database';
import type { Actor } from '../actor';
import { AppError, type ErrorCodeName } from '../app-error';
import { findCard } from '../cards/cards';
import { findClient } from '../referential/clients';
import { findNetwork } from '../referential/networks';
import { findServicePoint } from '../referential/service-points';
import type { Operator } from './operators';

/** Where a resource sits: its network, and its client or service point when it has one. */
interface Place {
  networkId: string;
  clientId: string | null;
  servicePointId: string | null;
}

/** The path parameters that name a resource with a place, in the order they are judged, with the code a resource out of reach answers. */
const PLACED: [parameter: string, notFound: ErrorCodeName][] = [
  ['cardId', 'CARD_NOT_FOUND'],
  ['clientId', 'CLIENT_NOT_FOUND'],
  ['servicePointId', 'SERVICE_POINT_NOT_FOUND'],
  ['networkId', 'NETWORK_NOT_FOUND'],
];

async function placeOf(db: Queryable, actor: Actor, parameter: string, id: string): Promise<Place> {
  switch (parameter) {
    case 'cardId': {
      const card = await findCard(db, actor, id);
      if (card.clientId) return placeOf(db, actor, 'clientId', card.clientId);
      return placeOf(db, actor, 'servicePointId', card.servicePointId ?? '');
    }
    case 'clientId':
      return { networkId: (await findClient(db, actor, id)).networkId, clientId: id, servicePointId: null };
    case 'servicePointId':
      return { networkId: (await findServicePoint(db, actor, id)).networkId, clientId: null, servicePointId: id };
    default:
      return { networkId: (await findNetwork(db, actor, id)).id, clientId: null, servicePointId: null };
  }
}

/** Throws unless the operator may perform an operation needing `right` on the resources its path names. */
export async function checkOperatorAuthority(db: Queryable, actor: Actor, operator: Operator, right: string, path: Record<string, string>): Promise<void> {
  const grants = operator.grants.filter((grant) => grant.rights.includes(right));
  if (grants.length === 0) throw new AppError('OPERATOR_RIGHT_MISSING', `This operation needs the right ${right}, which none of your roles grants`);
  if (grants.some((grant) => grant.scope.kind === 'issuer')) return;
  const named = PLACED.find(([parameter]) => path[parameter] !== undefined);
  if (!named) {
    throw new AppError(
      'OPERATOR_RIGHT_SCOPED',
      `This operation needs the right ${right} over the whole issuer; your roles grant it over some networks, clients or service points only`,
    );
  }
  const [parameter, notFound] = named;
  const place = await placeOf(db, actor, parameter, path[parameter]);
  const covered = grants.some(({ scope }) =>
    scope.kind === 'network' ? scope.id === place.networkId : scope.kind === 'client' ? scope.id === place.clientId : scope.id === place.servicePointId,
  );
  if (!covered) throw new AppError(notFound, `No ${parameter.replace(/Id$/, '')} ${path[parameter]} within your scope of authority`);
}
