/**
 * A sandbox partner ready to practise with, in one call (`POST /core/v1/sandbox-partners`): the
 * partner with every partner scope (its ck_test_ credentials), contracted for a client of its own
 * and a service point of its own, with a funded float and recharge limits, and member cards: some
 * funded, and one per business refusal (the sandbox's magic cards, docs/sandbox.md): each is set
 * up through production's own use cases (issuing, controls, drivers, transitions, regularisations)
 * so that the refusal it gives is production's, not a sandbox branch in the payment code.
 * Sandbox deployments only (deployment.ts). The seed is one transaction (every use case joins it):
 * a failure partway leaves nothing, and under an Idempotency-Key (the handler's createOnce) the
 * whole seed commits with its stored answer.
 */
import { oauthScopes } from '../../../generated/operations';
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import type { Actor } from '../actor';
import { requireSandbox } from '../deployment';
import type { CardVault } from '../cards/card-numbers';
import { issueCard, transitionCard } from '../cards/cards';
import { replaceCardControls } from '../cards/controls';
import { createCardProfile } from '../cards/profiles';
import { createServicePoint } from '../cards/service-point-cards';
import { replaceCardFleet } from '../fleet/card-fleet';
import { createDriver } from '../fleet/drivers';
import { createPartnerContract } from '../partners/contracts';
import { createPartner } from '../partners/partners';
import { setRechargeLimits } from '../partners/recharge-limits';
import { fundPartnerFloat, regularise } from '../payments/operations';
import { createClient } from '../referential/clients';
import { createNetwork } from '../referential/networks';
import { addEnergyPrice, createEnergyType, findEnergyType, priceInForce } from '../referential/energy-types';
import { AppError } from '../app-error';

type SandboxPartner = components['schemas']['SandboxPartner'];
type SandboxCard = components['schemas']['SandboxCard'];
type SpendingControls = components['schemas']['SpendingControls'];

/** The driver's code of the wrong-driver-code card: any other code is refused (4074). */
const SANDBOX_DRIVER_CODE = '482915';
/** What a funded card holds, and the float the partner recharges from. */
const CARD_BALANCE = 100_000;
const FLOAT = 10_000_000;
const xof = (value: number) => ({ value, unit: 'XOF' });
/** The energy type of the seeded fuel rules. */
const SANDBOX_FUEL = 'GASOIL';

/** Each seeded card: what it is for, its balance, and what sets it up (controls, a status, a driver). */
const SEEDED: readonly { purpose: SandboxCard['purpose']; balance: number; controls?: (servicePointId: string) => SpendingControls }[] = [
  { purpose: 'funded', balance: CARD_BALANCE },
  { purpose: 'funded', balance: CARD_BALANCE },
  { purpose: 'insufficient-funds', balance: 0 },
  { purpose: 'opposed', balance: CARD_BALANCE },
  { purpose: 'wrong-driver-code', balance: CARD_BALANCE },
  { purpose: 'amount-limit', balance: CARD_BALANCE, controls: () => ({ amount: { limits: [{ perTransaction: xof(1_000) }], mode: 'hard' } }) },
  { purpose: 'transaction-count-limit', balance: CARD_BALANCE, controls: () => ({ transactions: { perDay: 1, mode: 'hard' } }) },
  { purpose: 'product-not-allowed', balance: CARD_BALANCE, controls: () => ({ products: { services: ['fuel'], mode: 'hard' } }) },
  {
    purpose: 'location-not-allowed',
    balance: CARD_BALANCE,
    controls: (servicePointId) => ({ locations: { list: 'deny', servicePointIds: [servicePointId], mode: 'hard' } }),
  },
  { purpose: 'volume-limit', balance: CARD_BALANCE, controls: () => ({ volume: { perTransaction: 20_000, mode: 'hard' } }) },
  { purpose: 'fill-interval', balance: CARD_BALANCE, controls: () => ({ fillInterval: { minMinutes: 1440, mode: 'hard' } }) },
  {
    purpose: 'outside-allowed-hours',
    balance: CARD_BALANCE,
    // One minute a week (Sunday 03:00-03:01 at the network's time zone): every other time is refused.
    controls: () => ({ schedule: { windows: [{ days: ['sun'], from: '03:00', to: '03:01' }], mode: 'hard' } }),
  },
];

/**
 * The fuel the litre and fill-interval cards are judged on: gasoil, given a price in force when it
 * has none (715 XOF a litre). Seeds take turns here (a transaction-scoped lock), so that two at
 * once never both create it: the second reads what the first committed.
 */
async function ensureSandboxFuel(tx: Queryable, actor: Actor): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('sandbox-fuel', 0))`);
  if (await priceInForce(tx, SANDBOX_FUEL, new Date())) return;
  // Not found is thrown before any statement fails, so the transaction goes on.
  const known = await findEnergyType(tx, actor, SANDBOX_FUEL).catch((error: unknown) => {
    if (error instanceof AppError && error.codeName === 'ENERGY_TYPE_NOT_FOUND') return undefined;
    throw error;
  });
  if (!known) await createEnergyType(tx, actor, { code: SANDBOX_FUEL, label: 'Gasoil' });
  await addEnergyPrice(tx, actor, SANDBOX_FUEL, {
    effectiveAt: new Date(Date.now() - 60_000).toISOString(),
    priceInclTax: xof(715),
    priceExclVat: xof(606),
    priceExclTaxAndCustoms: xof(542),
    priceExclAllTaxes: xof(493),
  });
}

/**
 * Creates the sandbox partner and its world; `reveal`: whether the answer may show the cards'
 * full numbers (the caller holds core:cards.reveal).
 */
export async function createSandboxPartner(db: Queryable, vault: CardVault, actor: Actor, input: { name: string }, reveal: boolean): Promise<SandboxPartner> {
  await requireSandbox(db, 'Seeding a sandbox partner');
  return db.transaction((tx) => seed(tx, vault, actor, input, reveal));
}

async function seed(db: Queryable, vault: CardVault, actor: Actor, input: { name: string }, reveal: boolean): Promise<SandboxPartner> {
  await ensureSandboxFuel(db, actor);
  const scopes = Object.keys(oauthScopes).filter((scope) => scope.startsWith('partner:'));
  const { partner, consumerSecret } = await createPartner(db, actor, { name: input.name, scopes });
  const code = partner.id.slice(-10).toUpperCase();
  const network = await createNetwork(db, actor, { code: `BAC-${code}`, name: `Réseau bac à sable ${code}` });
  const client = await createClient(db, actor, { networkId: network.id, code: `FLOTTE-${code}`, name: `Flotte ${input.name}` });
  const profile = await createCardProfile(db, actor, {
    code: `BAC-${code}`,
    label: 'Bac à sable',
    validityMonths: 24,
    rechargeMode: 'manual',
    monthlyOfflineCap: xof(200_000),
    allowedServices: ['fuel', 'shop', 'lubricants', 'car-wash'],
    allowedUnits: ['XOF'],
  });
  const station = await createServicePoint(
    db,
    vault,
    actor,
    { code: `STATION-${code}`, name: `Station bac à sable ${code}`, address: 'Plateau, Abidjan', networkId: network.id },
    false,
  );
  await createPartnerContract(db, actor, partner.id, { clientId: client.id });
  await createPartnerContract(db, actor, partner.id, { servicePointId: station.id });
  await fundPartnerFloat(
    db,
    actor,
    { key: `sandbox-float-${partner.id}`, operation: 'createSandboxPartner', fingerprint: partner.id },
    { partnerId: partner.id, amount: xof(FLOAT), externalReference: `BAC-FLOAT-${code}` },
  );
  await setRechargeLimits(db, actor, partner.id, { limits: [{ unit: 'XOF', perOperation: 500_000, perDay: 5_000_000, perCardPerDay: 1_000_000 }] });

  const cards: SandboxCard[] = [];
  for (const seeded of SEEDED) {
    const holder = { name: `Conducteur ${cards.length + 1}`, phone: `+22507000000${String(cards.length).padStart(2, '0')}` };
    const card = await issueCard(db, vault, actor, { clientId: client.id, profileId: profile.id, holder }, true);
    if (seeded.balance > 0)
      await regularise(
        db,
        actor,
        { key: `sandbox-balance-${card.id}`, operation: 'createSandboxPartner', fingerprint: card.id },
        { cardId: card.id, direction: 'credit', amount: xof(seeded.balance), reason: 'Solde du bac à sable' },
      );
    if (seeded.controls) await replaceCardControls(db, actor, card.id, seeded.controls(station.id));
    if (seeded.purpose === 'opposed') await transitionCard(db, actor, card.id, 'oppose', 'Carte opposée du bac à sable');
    if (seeded.purpose === 'wrong-driver-code') {
      const driver = await createDriver(db, vault, actor, { clientId: client.id, name: holder.name, phone: holder.phone, driverCode: SANDBOX_DRIVER_CODE });
      await replaceCardFleet(db, actor, card.id, { vehicleId: null, driverId: driver.id });
    }
    cards.push({ id: card.id, number: reveal ? (card.number ?? null) : null, purpose: seeded.purpose, balance: xof(seeded.balance) });
  }
  return { partner: { ...partner, consumerSecret }, networkId: network.id, clientId: client.id, servicePointId: station.id, cards };
}
