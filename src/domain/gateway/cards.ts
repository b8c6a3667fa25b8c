/**
 * The 3rd Party API's cards: a member card of a client the partner is
 * contracted for, as a partner sees it. A card outside its contracts is CARD_NOT_FOUND, from
 * the same single query as an unknown one: the answer and its cost say nothing of it.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { batchedStatement } from '../../db/batched';
import { AppError } from '../app-error';
import { withoutLedgerAccount } from './refusals';
import { partnerIdOf, type Actor } from '../actor';
import { findCardAllowances } from '../cards/allowances';
import { effectiveStatus } from '../cards/cards';
import { isValidCardNumber, type CardVault } from '../cards/card-numbers';
import { activityFilters, toDecline, type DeclineRow } from '../payments/declines';
import { pageOfSettledRows, type PageInput, type SettledPage } from '../pagination';
import { partnerRow } from '../partners/partners';
import { cardInReach } from './reach';
import { worldNowOf } from '../clocks';

type PartnerCard = components['schemas']['PartnerCard'];
type CardAllowances = components['schemas']['CardAllowances'];
type PartnerCardDecline = components['schemas']['PartnerCardDecline'];

interface PartnerCardRow {
  ord: string;
  id: string;
  masked_number: string;
  status: 'active' | 'suspended' | 'opposed' | 'cancelled';
  expires_at: Date | null;
  world_now: Date;
  holder_name: string | null;
  balances: { unit: string; posted: number; held: number }[];
}

/**
 * The card (by id, or by number hash) of each read if the partner is contracted for its client,
 * with its balances; the reads of a turn of the event loop as one statement (src/db/batched.ts).
 */
const contractedCards = (by: 'id' | 'number_hash') =>
  batchedStatement<[card: string, partnerId: string | null], PartnerCardRow>(
    `SELECT batch.ord, c.id, c.masked_number, c.status, c.expires_at, ${worldNowOf('c.client_id')} AS world_now, c.holder_name,
            COALESCE((SELECT json_agg(json_build_object('unit', a.unit_code, 'posted', a.posted, 'held', a.held) ORDER BY a.unit_code)
                        FROM ledger_accounts a WHERE a.card_id = c.id), '[]') AS balances
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS batch (card, partner_id, ord)
       JOIN cards c ON c.${by} = batch.card AND ${cardInReach('batch.partner_id', 'c')}`,
  );
const contractedCardsById = contractedCards('id');
const contractedCardsByNumber = contractedCards('number_hash');

/** The card (by id or by number hash) if the partner is contracted for its client, with its balances; one statement. */
async function contractedCardRow(db: Queryable, actor: Actor, by: { id: string } | { hash: string }): Promise<PartnerCardRow | undefined> {
  const [row] = 'id' in by ? await contractedCardsById(db, [by.id, actor.id]) : await contractedCardsByNumber(db, [by.hash, actor.id]);
  return row;
}

const toPartnerCard = (row: PartnerCardRow): PartnerCard => ({
  id: row.id,
  maskedNumber: row.masked_number,
  status: effectiveStatus(row),
  expiresAt: row.expires_at?.toISOString() ?? null,
  holderFirstName: row.holder_name?.trim().split(/\s+/u)[0] ?? null,
  balances: row.balances.map((balance) => ({ unit: balance.unit, posted: Number(balance.posted), available: Number(balance.posted) - Number(balance.held) })),
});

/** The partner's card by id (CARD_NOT_FOUND outside its contracts). */
export async function findPartnerCard(db: Queryable, actor: Actor, cardId: string): Promise<PartnerCard> {
  const row = await contractedCardRow(db, actor, { id: cardId });
  if (!row) throw new AppError('CARD_NOT_FOUND', `No card ${cardId}`);
  return toPartnerCard(row);
}

/** CARD_NUMBER_INVALID, naming the field at `path`, when the number fails its Luhn check digit. */
export function checkCardNumber(number: string, path = '/body/cardNumber'): void {
  if (!isValidCardNumber(number))
    throw new AppError('CARD_NUMBER_INVALID', 'The card number fails its check digit', { errors: [{ path, message: 'fails the Luhn check' }] });
}

/**
 * The partner's card by its full number (CARD_NUMBER_INVALID on a Luhn failure, naming the
 * request's `field`; CARD_NOT_FOUND outside its contracts). Neither answer quotes the number.
 */
export async function lookupPartnerCard(db: Queryable, vault: CardVault, actor: Actor, number: string, field = '/body/cardNumber'): Promise<PartnerCard> {
  checkCardNumber(number, field);
  const row = await contractedCardRow(db, actor, { hash: vault.lookupHash(number) });
  if (!row) throw new AppError('CARD_NOT_FOUND', 'No card has this number');
  return toPartnerCard(row);
}

/**
 * The seed's balance enquiry (GET /get-solde-carte, deprecated): the look-up's answer, for a
 * partner the issuer enabled it for (LEGACY_BALANCE_NOT_ALLOWED otherwise, before the number
 * is even read).
 */
export async function legacyBalanceEnquiry(db: Queryable, vault: CardVault, actor: Actor, number: string): Promise<PartnerCard> {
  const partner = await partnerRow(db, partnerIdOf(actor));
  if (!partner.legacy_balance_allowed) {
    throw new AppError(
      'LEGACY_BALANCE_NOT_ALLOWED',
      'GET /get-solde-carte is not enabled for this partner; use POST /partner/v1/cards/lookup, then GET /partner/v1/cards/{cardId}',
    );
  }
  return lookupPartnerCard(db, vault, actor, number, '/query/numeroCarte');
}

/** The partner's card's remaining allowances. */
export async function partnerCardAllowances(db: Queryable, actor: Actor, cardId: string, at?: Date): Promise<CardAllowances> {
  await findPartnerCard(db, actor, cardId);
  return findCardAllowances(db, actor, cardId, at);
}

/** The partner's card's declined attempts, oldest first; whose they were is said only of its own. */
export async function listPartnerCardDeclines(
  db: Queryable,
  actor: Actor,
  cardId: string,
  period: { from?: string; to?: string },
  page: PageInput,
): Promise<SettledPage<PartnerCardDecline>> {
  await findPartnerCard(db, actor, cardId);
  return pageOfSettledRows(db, 'card_declines', activityFilters({ cardId, ...period }), page, (row: DeclineRow) => toPartnerCardDecline(row, actor));
}

/**
 * A decline in the partner's view: `own` when it made the attempt; never who else did, the
 * client, channel or request, nor the ledger account a refusal for funds names (its message
 * and figures keep the rest).
 */
export function toPartnerCardDecline(row: DeclineRow, actor: Actor): PartnerCardDecline {
  const { clientId: _client, actor: by, channel: _channel, requestId: _request, debugMessage, details, ...decline } = toDecline(row, actor.language);
  const { message: bare, details: figures } = withoutLedgerAccount(debugMessage, details);
  return { ...decline, debugMessage: bare, details: figures, own: by.id === actor.id };
}
