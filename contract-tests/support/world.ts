/**
 * The world the contract tests build through the Core API, once: money (`xof`), a network with
 * a client and a card profile, energy types with their prices, issued and funded cards, stations (service points) and the
 * partners contracted for them, partners contracted for a client with a funded float, and the
 * ledger check (src/domain/ledger/invariants.ts) most files run after each test. Codes are the
 * caller's (a prefix per file), so that they stay unique where a test needs them to.
 */
import { randomUUID } from 'node:crypto';
import {
  CardService,
  RechargeMode,
  RegularisationCreateDirectionEnum,
  type CardProfileCreate,
  type NetworkCreate,
  type ServicePointCreate,
} from '../../generated/sdk';
import { SYSTEM_ACTORS } from '../../src/domain/actor';
import { checkLedger } from '../../src/domain/ledger/invariants';
import type { TestServer } from './server';

/** An amount in francs CFA as answers give it, with its scale and decimal (a request may send them: they are checked, then dropped). */
export const xof = (value: number) => ({ value, unit: 'XOF', scale: 0, decimal: String(value) });

/** The Core SDK clients of a token holding the Core scopes (`server.sdk({ token })` has them). */
export type Core = Pick<ReturnType<TestServer['sdk']>, 'coreReferential' | 'coreCards' | 'coreLedger' | 'corePartners'>;
type Db = TestServer['database']['db'];

/** A network named after its code unless `name` says otherwise, in Africa/Abidjan's time zone unless `fields` name another. */
export async function newNetwork(core: Core, code: string, name = `Réseau ${code}`, fields: Partial<NetworkCreate> = {}): Promise<string> {
  return (await core.coreReferential.createNetwork({ networkCreate: { code, name, ...fields } })).data.id;
}

export async function newClient(core: Core, networkId: string, code: string, name = code): Promise<string> {
  return (await core.coreReferential.createClient({ clientCreate: { networkId, code, name } })).data.id;
}

/** A manual-recharge profile for XOF, valid 12 months, fuel only, offline cap 1 000, unless `fields` say otherwise. */
export async function newCardProfile(core: Core, code: string, fields: Partial<CardProfileCreate> = {}): Promise<string> {
  return (
    await core.coreCards.createCardProfile({
      cardProfileCreate: {
        code,
        label: code,
        validityMonths: 12,
        rechargeMode: RechargeMode.Manual,
        monthlyOfflineCap: xof(1000),
        allowedServices: [CardService.Fuel],
        allowedUnits: ['XOF'],
        ...fields,
      },
    })
  ).data.id;
}

export interface ClientWorld {
  networkId: string;
  clientId: string;
  profileId: string;
}

/**
 * A network and a client in it, then a card profile: codes RES-`prefix`, FLOTTE-`prefix` and
 * `prefix` unless `codes` names them; the profile's fields as in `newCardProfile`.
 */
export async function newClientWorld(
  core: Core,
  prefix: string,
  profile: Partial<CardProfileCreate> = {},
  codes: { network?: string; client?: string } = {},
): Promise<ClientWorld> {
  const networkId = await newNetwork(core, codes.network ?? `RES-${prefix}`);
  const clientId = await newClient(core, networkId, codes.client ?? `FLOTTE-${prefix}`);
  const profileId = await newCardProfile(core, prefix, profile);
  return { networkId, clientId, profileId };
}

/**
 * An energy type, labelled after its code (GASOIL: Gasoil) unless `label` says otherwise, and,
 * when `priceInclTax` is given, its price in force since 1 January 2026: excluding VAT 100 francs
 * less, excluding tax and customs 150 less, excluding all taxes 200 less.
 */
export async function newEnergyType(core: Core, code: string, priceInclTax?: number, label = code.charAt(0) + code.slice(1).toLowerCase()): Promise<void> {
  await core.coreReferential.createEnergyType({ energyTypeCreate: { code, label } });
  if (priceInclTax === undefined) return;
  await core.coreReferential.createEnergyPrice({
    energyTypeCode: code,
    energyPriceCreate: {
      effectiveAt: new Date('2026-01-01T00:00:00Z'),
      priceInclTax: xof(priceInclTax),
      priceExclVat: xof(priceInclTax - 100),
      priceExclTaxAndCustoms: xof(priceInclTax - 150),
      priceExclAllTaxes: xof(priceInclTax - 200),
    },
  });
}

export interface Station {
  id: string;
  /** The station's E-service card (what its sales are credited to). */
  cardId: string;
}

/** A service point of the network, named after its code, on the Plateau unless `fields` say otherwise. */
export async function newStation(core: Core, networkId: string, code: string, fields: Partial<ServicePointCreate> = {}): Promise<Station> {
  const point = (
    await core.coreReferential.createServicePoint({ servicePointCreate: { code, name: `Station ${code}`, address: 'Plateau, Abidjan', networkId, ...fields } })
  ).data;
  return { id: point.id, cardId: point.eServiceCard.id };
}

const HOLDER = { name: 'Awa Traoré', phone: '+2250101010101' };

/** A card of the client on the profile (its number as issued, shown once). */
export async function issueCard(core: Core, owner: { clientId: string; profileId: string }, holder = HOLDER): Promise<{ id: string; number: string }> {
  const issued = (await core.coreCards.issueCard({ cardIssue: { clientId: owner.clientId, profileId: owner.profileId, holder } })).data;
  return { id: issued.id, number: issued.number as string };
}

/** Credits the card by a regularisation. */
export async function credit(core: Core, cardId: string, value: number, reason = 'Solde de départ', idempotencyKey: string = randomUUID()): Promise<void> {
  await core.coreLedger.createRegularisation({
    idempotencyKey,
    regularisationCreate: { cardId, direction: RegularisationCreateDirectionEnum.Credit, amount: xof(value), reason },
  });
}

/** A card issued then credited `value` (nothing credited when 0). */
export async function fundedCard(
  core: Core,
  owner: { clientId: string; profileId: string },
  value: number,
  holder = HOLDER,
): Promise<{ id: string; number: string }> {
  const card = await issueCard(core, owner, holder);
  if (value > 0) await credit(core, card.id, value);
  return card;
}

export async function fundFloat(
  core: Core,
  partnerId: string,
  value: number,
  externalReference: string = randomUUID(),
  idempotencyKey: string = randomUUID(),
): Promise<void> {
  await core.coreLedger.createFloatFunding({ idempotencyKey, floatFundingCreate: { partnerId, amount: xof(value), externalReference } });
}

export interface ContractedPartner {
  id: string;
  key: string;
  secret: string;
  /** A token of the partner with all its scopes. */
  token: string;
}

/**
 * A partner (made in the database), contracted for the client and the service point given (in
 * that order), its float funded with `float` when given (reference `floatReference`), then its token.
 */
export async function contractedPartner(
  server: TestServer,
  core: Core,
  partner: { name: string; scopes: string[]; clientId?: string; servicePointId?: string; float?: number; floatReference?: string },
): Promise<ContractedPartner> {
  const created = await server.partner({ name: partner.name, scopes: partner.scopes });
  if (partner.clientId) await core.corePartners.createPartnerContract({ partnerId: created.id, partnerContractCreate: { clientId: partner.clientId } });
  if (partner.servicePointId)
    await core.corePartners.createPartnerContract({ partnerId: created.id, partnerContractCreate: { servicePointId: partner.servicePointId } });
  if (partner.float !== undefined) await fundFloat(core, created.id, partner.float, partner.floatReference);
  return { ...created, token: await server.token(created.key, created.secret) };
}

/**
 * Dates every operation recorded since `since` (and its entries) at `when`, as if the server had
 * recorded them then: its clock cannot be set. Date them in the order they were made, so that
 * the balances the entries recorded still follow one another.
 */
export async function backdateOperationsSince(db: Db, since: Date, when: Date): Promise<void> {
  await db.query('UPDATE ledger_entries SET created_at = $2 WHERE created_at >= $1', [since, when]);
  await db.query('UPDATE ledger_operations SET created_at = $2 WHERE created_at >= $1', [since, when]);
}

/** Fails unless every invariant of the ledger holds (balances from entries, bounds, holds...). */
export async function expectLedgerHolds(db: Db): Promise<void> {
  expect((await checkLedger(db, SYSTEM_ACTORS.system)).filter((result) => result.violations.length > 0)).toEqual([]);
}

/** After each test of the file: whatever moved or was refused, the ledger still balances and every bound holds. */
export function checkLedgerAfterEach(db: () => Db): void {
  afterEach(() => expectLedgerHolds(db()));
}
