/**
 * A partner's reach through the 3rd Party API, stated once: the member cards of the clients it
 * has an active contract for, the service points it has an active contract for (contracts:
 * partners/contracts.ts), and the operations that are its own or on such a card. Every gateway
 * statement that restricts to what a partner may see or act on takes its SQL from here (no
 * other file of the gateway names the contracts' table; reach.test.ts checks it), so that
 * outside its reach a resource answers exactly as an unknown one, from the same statement.
 *
 * Each builder returns a fragment over the placeholder that holds the partner's id and the
 * columns or aliases the caller names. The fragments keep to the contracts' partial unique
 * indexes (partner_contracts_active_client, partner_contracts_active_service_point): each
 * probe is one index look-up, and the contracted cards are read client by client.
 */
import { clientInReach, type Placeholder } from '../partners/reach';

/** SQL true when the row of `cards` aliased `card` is a member card within the reach of partner `partner`. */
export function cardInReach(partner: Placeholder, card: string): string {
  return `${card}.kind = 'member' AND ${clientInReach(partner, `${card}.client_id`)}`;
}

/**
 * The member cards within the reach of partner `partner`, as a table to select from (column
 * `id`): read contract by contract, then the client's cards (cards_client_idx), never the
 * other clients' cards.
 */
export function cardsInReach(partner: Placeholder): string {
  return `(SELECT k.id FROM partner_contracts pc JOIN cards k ON k.client_id = pc.client_id AND k.kind = 'member'
            WHERE pc.partner_id = ${partner} AND pc.ended_at IS NULL AND pc.client_id IS NOT NULL)`;
}

/**
 * The clients partner `partner` has an active contract for, as a table to select from (columns
 * `client_id`, and `shared`: another partner has an active contract for it too).
 */
export function contractedClients(partner: Placeholder): string {
  return `(SELECT pc.client_id, EXISTS (SELECT 1 FROM partner_contracts o WHERE o.client_id = pc.client_id AND o.partner_id <> pc.partner_id AND o.ended_at IS NULL) AS shared
             FROM partner_contracts pc WHERE pc.partner_id = ${partner} AND pc.ended_at IS NULL AND pc.client_id IS NOT NULL)`;
}

/**
 * The time zones of the networks of the clients and service points partner `partner` has or
 * had a contract for, as a table to select from (column `time_zone`): an ended contract still
 * counts, so that the days of its past statements do not move.
 */
export function contractedTimeZones(partner: Placeholder): string {
  return `(SELECT z.time_zone FROM partner_contracts pc JOIN client_network_zones z ON z.client_id = pc.client_id WHERE pc.partner_id = ${partner}
           UNION SELECT z.time_zone FROM partner_contracts pc JOIN service_point_network_zones z ON z.service_point_id = pc.service_point_id WHERE pc.partner_id = ${partner})`;
}

/** SQL true when service point `servicePoint` (a column or placeholder) is one partner `partner` has an active contract for. */
export function servicePointInReach(partner: Placeholder, servicePoint: string): string {
  return `EXISTS (SELECT 1 FROM partner_contracts pc WHERE pc.partner_id = ${partner} AND pc.service_point_id = ${servicePoint} AND pc.ended_at IS NULL)`;
}

/**
 * SQL true when operation `o`, with its debited and credited accounts `d` and `c` (the
 * aliases of ledger/operations-read.ts's OPERATION_SELECT), is within the reach of partner
 * `partner`: its own (it names the partner), or on a member card within its reach.
 */
export function operationInReach(partner: Placeholder): string {
  return `(o.partner_id = ${partner} OR EXISTS (SELECT 1 FROM cards k WHERE k.id IN (d.card_id, c.card_id) AND ${cardInReach(partner, 'k')}))`;
}
