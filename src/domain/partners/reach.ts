/**
 * The clauses over the partners' active contracts that payment policy needs as well as the
 * gateway (src/domain/gateway/reach.ts builds a partner's reach on them): payments may import
 * this area, not the gateway. Each returns a fragment over the placeholder that holds the
 * partner's id and the columns or placeholders the caller names; each probe is one look-up in
 * the contracts' partial unique indexes.
 */

/** A statement parameter (`$1`, `$2`...), or a column of a batch's parameters (`batch.partner_id`: src/db/batched.ts). */
export type Placeholder = `$${number}` | `batch.${string}`;

/** SQL true when client `client` (a column or placeholder) is one partner `partner` has an active contract for. */
export function clientInReach(partner: Placeholder, client: string): string {
  return `EXISTS (SELECT 1 FROM partner_contracts pc WHERE pc.client_id = ${client} AND pc.partner_id = ${partner} AND pc.ended_at IS NULL)`;
}

/** SQL of when partner `partner`'s active contract for service point `servicePoint` (a column or placeholder) began; null without one. */
export function servicePointContractStart(partner: Placeholder, servicePoint: string): string {
  return `(SELECT max(pc.started_at) FROM partner_contracts pc WHERE pc.partner_id = ${partner} AND pc.service_point_id = ${servicePoint} AND pc.ended_at IS NULL)`;
}
