/**
 * The 3rd Party API's payments at the pump. A partner with an active
 * contract for a service point (a station system) takes payments there from any member card
 * the pump read: payments, pay-at-pump authorisations and offline fills, each the partner's
 * own operation (`partner_id`, with its reference). A service point outside its active
 * contracts is SERVICE_POINT_NOT_FOUND from the same statement as an unknown one; a number
 * The ledger's use-cases do the rest, with all their checks. A partner reads, captures and
 * voids only the authorisations it made.
 *
 * A station reads what it needs to serve the fill, nothing of the card it does not already
 * know (only partners contracted for the card's client read balances): a card that cannot pay
 * (a number that is no member card's, a card blocked or expired, its client inactive, its
 * balance too low) is one answer, CARD_DECLINED, without figures; no hold is cut to the
 * balance; other refusals never name the card; its authorisations come in the partner's shape
 * (as the events feed gives them) without the card's id.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { AppError, type ErrorCodeName } from '../app-error';
import { partnerIdOf, type Actor } from '../actor';
import { isValidCardNumber, type CardVault } from '../cards/card-numbers';
import type { Idempotent, IdempotentRequest } from '../idempotency';
import { takePayment } from '../payments/operations';
import { captureAuthorization, DEFAULT_HOLD_SECONDS, findAuthorization, placeHold, voidAuthorization, type Authorization } from '../payments/holds';
import { bookOfflineFills, checkBatch } from '../payments/offline-fills';
import { checkCardNumber } from './cards';
import { toPartnerOperation } from './operations';
import { cardInReach, servicePointInReach } from './reach';
import { listAuthorizations, setStationReference, type AuthorizationFilters } from '../payments/holds-read';
import type { PageInput, SettledPage } from '../pagination';

type PartnerOperation = components['schemas']['PartnerOperation'];
type PartnerPaymentCreate = components['schemas']['PartnerPaymentCreate'];
type PartnerAuthorizationCreate = components['schemas']['PartnerAuthorizationCreate'];
type PartnerAuthorizationCapture = components['schemas']['PartnerAuthorizationCapture'];
type PartnerOfflineFillBatch = components['schemas']['PartnerOfflineFillBatch'];
type OfflineFillBatchResult = components['schemas']['OfflineFillBatchResult'];
type PartnerAuthorization = components['schemas']['PartnerAuthorization'];
type StationReferenceChange = components['schemas']['StationReferenceChange'];

/**
 * The refusals that say the card cannot pay when they name it: a station gets one answer for
 * all of them (a fill dated before the card's issue, a balance the card could not show too).
 */
const CANNOT_PAY: ReadonlySet<ErrorCodeName> = new Set<ErrorCodeName>([
  'CARD_NOT_FOUND',
  'OFFLINE_FILL_TOO_OLD',
  'BALANCE_OUT_OF_BOUNDS',
  'CARD_SUSPENDED',
  'CARD_OPPOSED',
  'CARD_CANCELLED',
  'CARD_EXPIRED',
  'CLIENT_INACTIVE',
]);

/**
 * A refusal of a station's payment or authorisation as the station is answered: CARD_DECLINED,
 * without figures, when the paying card cannot pay (its state or client, or its balance; not
 * the station's own E-service card's state, which names that card); otherwise the refusal with
 * the paying card's id taken out of its message.
 */
function stationRefusal(refusal: AppError, cardId: string | null): AppError {
  const aboutCard = refusal.codeName === 'CARD_NOT_FOUND' || (cardId !== null && refusal.debugMessage.includes(cardId));
  const funds = refusal.codeName === 'INSUFFICIENT_FUNDS' && (refusal.details as { account?: string } | undefined)?.account === 'card';
  if ((aboutCard && CANNOT_PAY.has(refusal.codeName)) || funds) return new AppError('CARD_DECLINED', 'The card is declined; ask for another means of payment');
  if (cardId === null || !refusal.debugMessage.includes(cardId)) return refusal;
  const message = refusal.debugMessage.replace(
    new RegExp(`\\b([Cc])ard ${cardId}`, 'gu'),
    (_match, initial: string) => `${initial === 'C' ? 'T' : 't'}he card`,
  );
  return new AppError(refusal.codeName, message.split(cardId).join('the card'), {
    status: refusal.status,
    headers: refusal.headers,
    errors: refusal.errors,
    details: refusal.details,
  });
}

/** A station's authorisation in the partner's shape: its own, without the card's id or the vehicle's. */
function toStationAuthorization(authorization: Authorization): PartnerAuthorization {
  const { vehicleId: _vehicle, cardId: _card, ...hold } = authorization;
  return { ...hold, own: true, cardId: null };
}

const asStation = async ({ data, replayed }: { data: Authorization; replayed: boolean }) => ({ data: toStationAuthorization(data), replayed });

const notContracted = (servicePointId: string) => new AppError('SERVICE_POINT_NOT_FOUND', `No service point ${servicePointId}`);
const noSuchNumber = () => new AppError('CARD_NOT_FOUND', 'No card has this number'); // a station is answered CARD_DECLINED (stationRefusal)

/**
 * The member card with this number, paying at a service point the partner is contracted
 * for, in one statement: the contract first (an unknown service point and one of no active
 * contract of the partner are one answer), then the card.
 */
function cardAtContractedStation(vault: CardVault, partnerId: string, servicePointId: string, cardNumber: string) {
  return async (tx: Queryable): Promise<string> => {
    checkCardNumber(cardNumber);
    const [row] = await tx.query<{ contracted: boolean; card_id: string | null }>(
      `SELECT ${servicePointInReach('$1', '$2')} AS contracted,
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
export async function createPartnerPayment(
  db: Database,
  vault: CardVault,
  actor: Actor,
  request: IdempotentRequest,
  input: PartnerPaymentCreate,
): Idempotent<PartnerOperation> {
  const partnerId = partnerIdOf(actor);
  const { cardNumber, externalReference, ...payment } = input;
  const { data, replayed } = await takePayment(db, vault, actor, request, payment, {
    cardId: cardAtContractedStation(vault, partnerId, input.servicePointId, cardNumber),
    partnerId,
    externalReference,
    refusal: stationRefusal,
    // A number refused by its form is the general path's refusal, kept under the key.
    oneCall: isValidCardNumber(cardNumber) ? { numberHash: vault.lookupHash(cardNumber) } : undefined,
  });
  return { data: toPartnerOperation(data, partnerId), replayed };
}

/**
 * A pay-at-pump hold at a contracted service point by the card whose number the station read,
 * never cut to the balance, for at most `maxHoldSeconds` (PARTNER_HOLD_MAX_SECONDS).
 */
export async function createPartnerAuthorization(
  db: Database,
  vault: CardVault,
  actor: Actor,
  request: IdempotentRequest,
  input: PartnerAuthorizationCreate,
  maxHoldSeconds: number,
): Idempotent<PartnerAuthorization> {
  const { cardNumber, ...hold } = input;
  const holdSeconds = Math.min(hold.holdSeconds ?? DEFAULT_HOLD_SECONDS, maxHoldSeconds);
  const cardOf = cardAtContractedStation(vault, partnerIdOf(actor), input.servicePointId, cardNumber);
  return asStation(await placeHold(db, vault, actor, request, { ...hold, holdSeconds }, cardOf, { refusal: stationRefusal }));
}

/** One of the partner's authorisations (AUTHORIZATION_NOT_FOUND for any other, as for an unknown id). */
export async function findPartnerAuthorization(db: Queryable, actor: Actor, id: string): Promise<PartnerAuthorization> {
  return toStationAuthorization(await findAuthorization(db, actor, id, partnerIdOf(actor)));
}

/**
 * The partner's own authorisations, by cursor pages, in the partner's shape. A `cardId` outside
 * the partner's reach (no member card of a client it is contracted for) lists nothing, as a
 * card without holds: the filter tells a station nothing of a card it only knows by number.
 */
export async function listPartnerAuthorizations(
  db: Queryable,
  actor: Actor,
  filters: AuthorizationFilters,
  page: PageInput,
): Promise<SettledPage<PartnerAuthorization>> {
  const partnerId = partnerIdOf(actor);
  if (filters.cardId !== undefined) {
    const [{ reached }] = await db.query<{ reached: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM cards k WHERE k.id = $2 AND ${cardInReach('$1', 'k')}) AS reached`,
      [partnerId, filters.cardId],
    );
    if (!reached) return { items: [], nextCursor: null, resumeCursor: page.cursor ?? null };
  }
  const found = await listAuthorizations(db, actor, filters, page, partnerId);
  return { ...found, items: found.items.map(toStationAuthorization) };
}

/** Gives one of the partner's authorisations the station's reference for its pump transaction (holds-read.ts). */
export async function setPartnerStationReference(db: Database, actor: Actor, id: string, input: StationReferenceChange): Promise<PartnerAuthorization> {
  return toStationAuthorization(await setStationReference(db, actor, id, input, partnerIdOf(actor)));
}

/**
 * Captures one of the partner's authorisations; the payment is the partner's, with its
 * reference. Only while its contract for the service point is active: ending it voided its open
 * holds there, and one placed as it ended is CONTRACT_ENDED (void it, or let it expire).
 */
export async function capturePartnerAuthorization(
  db: Database,
  actor: Actor,
  request: IdempotentRequest,
  id: string,
  input: PartnerAuthorizationCapture,
): Idempotent<PartnerAuthorization> {
  const partnerId = partnerIdOf(actor);
  const { externalReference, ...capture } = input;
  const mayCapture = async (tx: Queryable, servicePointId: string) => {
    const [{ contracted }] = await tx.query<{ contracted: boolean }>(`SELECT ${servicePointInReach('$1', '$2')} AS contracted`, [partnerId, servicePointId]);
    if (!contracted)
      throw new AppError(
        'CONTRACT_ENDED',
        `The contract of partner ${partnerId} for service point ${servicePointId} has ended: its authorisations there are not captured`,
      );
  };
  return asStation(await captureAuthorization(db, actor, request, id, capture, { partnerId, externalReference, mayCapture }));
}

/** Voids one of the partner's authorisations. */
export async function voidPartnerAuthorization(db: Database, actor: Actor, request: IdempotentRequest, id: string): Idempotent<PartnerAuthorization> {
  return asStation(await voidAuthorization(db, actor, request, id, { partnerId: partnerIdOf(actor) }));
}

/**
 * Books a terminal's offline batch at a contracted service point, each fill the partner's
 * operation. A number that is no member card's refuses its fill, not the batch. The card's
 * balance after a fill is not shown: only partners contracted for its client read balances.
 */
export async function uploadPartnerOfflineFills(
  db: Database,
  vault: CardVault,
  actor: Actor,
  servicePointId: string,
  batch: PartnerOfflineFillBatch,
  now = new Date(),
): Promise<OfflineFillBatchResult> {
  const partnerId = partnerIdOf(actor);
  checkBatch(batch, now);
  const invalid = batch.fills.flatMap((fill, index) =>
    isValidCardNumber(fill.cardNumber) ? [] : [{ path: `/body/fills/${index}/cardNumber`, message: 'fails the Luhn check' }],
  );
  if (invalid.length)
    throw new AppError('CARD_NUMBER_INVALID', `Card numbers failing their check digit: ${invalid.map((item) => item.path).join(', ')}`, { errors: invalid });
  const hashes = batch.fills.map((fill) => vault.lookupHash(fill.cardNumber));
  const [row] = await db.query<{ contracted: boolean; cards: { id: string; hash: string }[] }>(
    `SELECT ${servicePointInReach('$1', '$2')} AS contracted,
            (SELECT COALESCE(json_agg(json_build_object('id', id, 'hash', number_hash)), '[]') FROM cards WHERE number_hash = ANY($3::text[]) AND kind = 'member') AS cards`,
    [partnerId, servicePointId, hashes],
  );
  if (!row.contracted) throw notContracted(servicePointId);
  const byHash = new Map(row.cards.map((card) => [card.hash, card.id]));
  const fills = batch.fills.map(({ cardNumber: _number, ...fill }, index) => ({ ...fill, cardId: byHash.get(hashes[index]) ?? null }));
  const booked = await bookOfflineFills(db, actor, servicePointId, batch.terminalId, fills, { partnerId, refusal: stationRefusal }, now);
  return { ...booked, results: booked.results.map((result) => ({ ...result, balanceAfter: null })) };
}
