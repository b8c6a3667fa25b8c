/**
 * The 3rd Party API's payments at the pump (issue 15 item 5). A partner with an active
 * contract for a service point (a station system) takes payments there from any member card
 * the pump read: payments, pay-at-pump authorisations and offline fills, each the partner's
 * own operation (`partner_id`, with its reference). A service point outside its active
 * contracts is SERVICE_POINT_NOT_FOUND from the same statement as an unknown one; a number
 * that is no member card's is CARD_NOT_FOUND. The ledger's use-cases do the rest, with all
 * their checks. A partner reads, captures and voids only the authorisations it made.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { partnerIdOf, type Actor } from '../actor';
import { isValidCardNumber, type CardVault } from '../cards/card-numbers';
import type { IdempotentRequest } from '../idempotency';
import { takePayment } from '../ledger/operations';
import { captureAuthorization, findAuthorization, placeHold, voidAuthorization, type Authorization } from '../ledger/holds';
import { bookOfflineFills, checkBatch } from '../ledger/offline-fills';
import { checkCardNumber } from './partner-cards';
import { toPartnerOperation } from './partner-operations';

type PartnerOperation = components['schemas']['PartnerOperation'];
type PartnerPaymentCreate = components['schemas']['PartnerPaymentCreate'];
type PartnerAuthorizationCreate = components['schemas']['PartnerAuthorizationCreate'];
type PartnerAuthorizationCapture = components['schemas']['PartnerAuthorizationCapture'];
type PartnerOfflineFillBatch = components['schemas']['PartnerOfflineFillBatch'];
type OfflineFillBatchResult = components['schemas']['OfflineFillBatchResult'];
type Idempotent<T> = Promise<{ data: T; replayed: boolean }>;

const notContracted = (servicePointId: string) => new AppError('SERVICE_POINT_NOT_FOUND', `No service point ${servicePointId}`);
const noSuchNumber = () => new AppError('CARD_NOT_FOUND', 'No card has this number');

/**
 * The member card with this number, paying at a service point the partner is contracted
 * for, in one statement: the contract first (an unknown service point and one of no active
 * contract of the partner are one answer), then the card.
 */
function cardAtContractedStation(vault: CardVault, partnerId: string, servicePointId: string, cardNumber: string) {
  return async (tx: Queryable): Promise<string> => {
    checkCardNumber(cardNumber);
    const [row] = await tx.query<{ contracted: boolean; card_id: string | null }>(
      `SELECT EXISTS (SELECT 1 FROM partner_contracts WHERE partner_id = $1 AND service_point_id = $2 AND ended_at IS NULL) AS contracted,
              (SELECT id FROM cards WHERE number_hash = $3 AND kind = 'member') AS card_id`,
      [partnerId, servicePointId, vault.lookupHash(cardNumber)],
      { prepare: true },
    );
    if (!row.contracted) throw notContracted(servicePointId);
    if (row.card_id === null) throw noSuchNumber();
    return row.card_id;
  };
}

/** A payment at a contracted service point by the card whose number the station read: the partner's operation, with its reference. */
export async function createPartnerPayment(db: Database, vault: CardVault, actor: Actor, request: IdempotentRequest, input: PartnerPaymentCreate): Idempotent<PartnerOperation> {
  const partnerId = partnerIdOf(actor);
  const { cardNumber, externalReference, ...payment } = input;
  const { data, replayed } = await takePayment(db, vault, actor, request, payment, {
    cardId: cardAtContractedStation(vault, partnerId, input.servicePointId, cardNumber), partnerId, externalReference,
  });
  return { data: toPartnerOperation(data, partnerId), replayed };
}

/** A pay-at-pump hold at a contracted service point by the card whose number the station read. */
export function createPartnerAuthorization(db: Database, vault: CardVault, actor: Actor, request: IdempotentRequest, input: PartnerAuthorizationCreate): Idempotent<Authorization> {
  const { cardNumber, ...hold } = input;
  return placeHold(db, vault, actor, request, hold, cardAtContractedStation(vault, partnerIdOf(actor), input.servicePointId, cardNumber));
}

/** One of the partner's authorisations (AUTHORIZATION_NOT_FOUND for any other, as for an unknown id). */
export function findPartnerAuthorization(db: Queryable, actor: Actor, id: string): Promise<Authorization> {
  return findAuthorization(db, actor, id, partnerIdOf(actor));
}

/** Captures one of the partner's authorisations; the payment is the partner's, with its reference. */
export function capturePartnerAuthorization(db: Database, actor: Actor, request: IdempotentRequest, id: string, input: PartnerAuthorizationCapture): Idempotent<Authorization> {
  const { externalReference, ...capture } = input;
  return captureAuthorization(db, actor, request, id, capture, { partnerId: partnerIdOf(actor), externalReference });
}

/** Voids one of the partner's authorisations. */
export function voidPartnerAuthorization(db: Database, actor: Actor, request: IdempotentRequest, id: string): Idempotent<Authorization> {
  return voidAuthorization(db, actor, request, id, { partnerId: partnerIdOf(actor) });
}

/**
 * Books a terminal's offline batch at a contracted service point, each fill the partner's
 * operation. A number that is no member card's refuses its fill, not the batch. The card's
 * balance after a fill is not shown: only partners contracted for its client read balances.
 */
export async function uploadPartnerOfflineFills(
  db: Database, vault: CardVault, actor: Actor, servicePointId: string, batch: PartnerOfflineFillBatch, now = new Date(),
): Promise<OfflineFillBatchResult> {
  const partnerId = partnerIdOf(actor);
  checkBatch(batch, now);
  const invalid = batch.fills.flatMap((fill, index) => (isValidCardNumber(fill.cardNumber) ? [] : [{ path: `/body/fills/${index}/cardNumber`, message: 'fails the Luhn check' }]));
  if (invalid.length) throw new AppError('CARD_NUMBER_INVALID', `Card numbers failing their check digit: ${invalid.map((item) => item.path).join(', ')}`, { errors: invalid });
  const hashes = batch.fills.map((fill) => vault.lookupHash(fill.cardNumber));
  const [row] = await db.query<{ contracted: boolean; cards: { id: string; hash: string }[] }>(
    `SELECT EXISTS (SELECT 1 FROM partner_contracts WHERE partner_id = $1 AND service_point_id = $2 AND ended_at IS NULL) AS contracted,
            (SELECT COALESCE(json_agg(json_build_object('id', id, 'hash', number_hash)), '[]') FROM cards WHERE number_hash = ANY($3::text[]) AND kind = 'member') AS cards`,
    [partnerId, servicePointId, hashes],
  );
  if (!row.contracted) throw notContracted(servicePointId);
  const byHash = new Map(row.cards.map((card) => [card.hash, card.id]));
  const fills = batch.fills.map(({ cardNumber: _number, ...fill }, index) => ({ ...fill, cardId: byHash.get(hashes[index]) ?? null }));
  const booked = await bookOfflineFills(db, actor, servicePointId, batch.terminalId, fills, partnerId);
  return { ...booked, results: booked.results.map((result) => ({ ...result, balanceAfter: null })) };
}
