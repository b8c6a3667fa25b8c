/**
 * Demo data for `npm start` on the embedded database, created the first time: a demo partner
 * holding every scope, and a network, two clients, energy prices, a card profile, a service
 * point, a few cards, a vehicle and a driver to explore the Core API with; the partner is
 * contracted for both clients and the service point, with a funded float and recharge limits,
 * to walk the 3rd Party API's quick start with, and a fleet manager of one client (an operator
 * whose role is granted over that client only). The partner's credentials and a card's number
 * are kept in the data directory (git-ignored, mode 0600) so that every start can print them;
 * a real deployment (DATABASE_URL) creates partners with the CLI instead.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oauthScopes, operatorRights } from '../generated/operations';
import type { Database } from './db/database';
import { SYSTEM_ACTORS } from './domain/actor';
import type { CardVault } from './domain/cards/card-numbers';
import { issueCard, transitionCard } from './domain/cards/cards';
import { replaceCardControls, replaceCardProfileControls } from './domain/cards/controls';
import { createCardProfile } from './domain/cards/profiles';
import { replaceCardFleet } from './domain/fleet/card-fleet';
import { createDriver } from './domain/fleet/drivers';
import { createVehicle } from './domain/fleet/vehicles';
import { fundPartnerFloat } from './domain/payments/operations';
import { createPartnerContract } from './domain/partners/contracts';
import { createPartner, partnerNamed } from './domain/partners/partners';
import { setRechargeLimits } from './domain/partners/recharge-limits';
import { clientIdByCode, createClient } from './domain/referential/clients';
import { addEnergyPrice, createEnergyType } from './domain/referential/energy-types';
import { createNetwork, networkIdByCode } from './domain/referential/networks';
import { createServicePoint } from './domain/cards/service-point-cards';
import { servicePointIdByCode } from './domain/referential/service-points';
import { createUnit } from './domain/referential/units';
import { createOperator, createOperatorRole, grantOperatorRole } from './domain/operators/operators';

export interface DemoCredentials {
  partnerId: string;
  consumerKey: string;
  consumerSecret: string;
  /** A member card's full number, to look up through the 3rd Party API (null if the demo data was seeded by an earlier start). */
  cardNumber?: string | null;
}

const DEMO_NAME = 'Partenaire de démonstration';

const DEMO_ACTOR = SYSTEM_ACTORS.demo;

/** The rights of the demo fleet manager's role: read its client, its cards, fleet and activity, block, suspend and reactivate cards, set their controls and the drivers' codes. */
const FLEET_MANAGER_RIGHTS = ['clients.read', 'cards.read', 'cards.lifecycle', 'cards.controls', 'controls.read', 'fleet.read', 'fleet.write', 'ledger.read'];

/** Where the demo operators are enrolled when no OpenID Connect provider is configured at the first start: a placeholder issuer no token names. */
const PLACEHOLDER_ISSUER = 'urn:cynod:demo-operators';

/** The demo fleet manager, subject `gestionnaire-sotra` at the provider: the role "Gestionnaire de flotte" granted over the client only. */
async function seedFleetManager(db: Database, clientId: string, issuer: string): Promise<void> {
  const role = await createOperatorRole(db, DEMO_ACTOR, { name: 'Gestionnaire de flotte', rights: FLEET_MANAGER_RIGHTS }, Object.keys(operatorRights));
  const operator = await createOperator(db, DEMO_ACTOR, { issuer, subject: 'gestionnaire-sotra', displayName: 'Aminata Koné (flotte SOTRA)' });
  await grantOperatorRole(db, DEMO_ACTOR, operator.id, { roleId: role.id, scope: { kind: 'client', id: clientId } });
}

/** Seeds the referential and the demo fleet manager (enrolled under `operatorIssuer`); returns the number of the card the quick start uses. */
async function seedReferential(db: Database, vault: CardVault, operatorIssuer: string): Promise<string> {
  const network = await createNetwork(db, DEMO_ACTOR, { code: 'RES-ABIDJAN', name: 'Réseau Abidjan' });
  const sotra = await createClient(db, DEMO_ACTOR, {
    networkId: network.id,
    code: 'SOTRA',
    name: 'Société des Transports Abidjanais',
    phone: '+2252720000000',
  });
  const logistique = await createClient(db, DEMO_ACTOR, { networkId: network.id, code: 'LOGEX-CI', name: "Logistique Express Côte d'Ivoire" });
  const xof = (value: number) => ({ value, unit: 'XOF' });
  for (const [code, label, price] of [
    ['GASOIL', 'Gasoil', 715],
    ['SUPER', 'Super sans plomb', 875],
  ] as const) {
    await createEnergyType(db, DEMO_ACTOR, { code, label });
    await addEnergyPrice(db, DEMO_ACTOR, code, {
      effectiveAt: new Date(Date.now() - 86_400_000).toISOString(),
      priceInclTax: xof(price),
      priceExclVat: xof(Math.round(price / 1.18)),
      priceExclTaxAndCustoms: xof(Math.round(price / 1.32)),
      priceExclAllTaxes: xof(Math.round(price / 1.45)),
    });
  }
  await createUnit(db, DEMO_ACTOR, { code: 'L-GASOIL', label: 'Litres de gasoil', kind: 'volume', scale: 2, energyTypeCode: 'GASOIL' });
  const profile = await createCardProfile(db, DEMO_ACTOR, {
    code: 'FLOTTE-STANDARD',
    label: 'Flotte standard',
    validityMonths: 36,
    rechargeMode: 'manual',
    monthlyOfflineCap: xof(200_000),
    allowedServices: ['fuel', 'lubricants', 'car-wash'],
    allowedUnits: ['XOF', 'L-GASOIL'],
  });
  await createServicePoint(
    db,
    vault,
    DEMO_ACTOR,
    { code: 'STATION-MARCORY', name: 'Station Marcory', address: 'Boulevard VGE, Marcory, Abidjan', networkId: network.id },
    false,
  );
  const drivers = [
    [sotra.id, 'Konan Kouadio', '+2250707080910'],
    [sotra.id, 'Awa Traoré', '+2250505060708'],
    [logistique.id, 'Moussa Diabaté', '+2250101020304'],
  ] as const;
  const issued = [];
  // The last card's number is shown (kept with the demo credentials) for the partner quick start.
  for (const [index, [clientId, name, phone]] of drivers.entries()) {
    issued.push(await issueCard(db, vault, DEMO_ACTOR, { clientId, profileId: profile.id, holder: { name, phone } }, index === drivers.length - 1));
  }
  await transitionCard(db, DEMO_ACTOR, issued[1].id, 'suspend', 'Suspension demandée par le client');
  // Spending controls: the profile's defaults, and a card that overrides its money limits.
  await replaceCardProfileControls(db, DEMO_ACTOR, profile.id, {
    volume: { perTransaction: 60_000, perWeek: 400_000, mode: 'hard' },
    products: { services: ['fuel', 'lubricants'], mode: 'hard' },
    locations: { list: 'allow', networkIds: [network.id], mode: 'hard' },
    schedule: { windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '05:00', to: '22:00' }], mode: 'soft' },
  });
  await replaceCardControls(db, DEMO_ACTOR, issued[0].id, { amount: { limits: [{ perTransaction: xof(50_000), perDay: xof(100_000) }], mode: 'hard' } });
  // The restricted card drives a gasoil bus with a 300 L tank, held by its driver (code 482915).
  const bus = await createVehicle(db, DEMO_ACTOR, { clientId: sotra.id, registration: '1234 AB 01', tankCapacityMl: 300_000, energyTypeCode: 'GASOIL' });
  const driver = await createDriver(db, vault, DEMO_ACTOR, { clientId: sotra.id, name: 'Konan Kouadio', phone: '+2250707080910', driverCode: '482915' });
  await replaceCardFleet(db, DEMO_ACTOR, issued[0].id, { vehicleId: bus.id, driverId: driver.id });
  await seedFleetManager(db, sotra.id, operatorIssuer);
  return issued[2].number as string;
}

/** The demo partner's contracts (both clients, the service point), its float and its recharge limits. */
async function seedPartnerChannel(db: Database, partnerId: string): Promise<void> {
  for (const code of ['LOGEX-CI', 'SOTRA']) {
    const clientId = await clientIdByCode(db, code);
    if (clientId) await createPartnerContract(db, DEMO_ACTOR, partnerId, { clientId });
  }
  const servicePointId = await servicePointIdByCode(db, 'STATION-MARCORY');
  if (servicePointId) await createPartnerContract(db, DEMO_ACTOR, partnerId, { servicePointId });
  const funding = { key: `demo-float-${partnerId}`, operation: 'createFloatFunding', fingerprint: partnerId };
  await fundPartnerFloat(db, DEMO_ACTOR, funding, {
    partnerId,
    amount: { value: 10_000_000, unit: 'XOF' },
    externalReference: 'DEMO-VIREMENT-0001',
    comment: 'Float de démonstration',
  });
  await setRechargeLimits(db, DEMO_ACTOR, partnerId, { limits: [{ unit: 'XOF', perOperation: 500_000, perDay: 5_000_000, perCardPerDay: 1_000_000 }] });
}

/**
 * Creates the demo data the first time; `operatorIssuer` is the OpenID Connect provider the
 * demo operators are enrolled under (OIDC_ISSUER_URL), when one is configured.
 */
export async function ensureDemoData(db: Database, dataDir: string, vault: CardVault, operatorIssuer?: string): Promise<DemoCredentials | null> {
  const file = join(dataDir, 'demo-credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
  if (await partnerNamed(db, DEMO_NAME)) return null; // created earlier, credentials file removed: the secret cannot be shown again
  const seeded = (await networkIdByCode(db, 'RES-ABIDJAN')) !== null;
  const cardNumber = seeded ? null : await seedReferential(db, vault, operatorIssuer ?? PLACEHOLDER_ISSUER);
  const { partner, consumerSecret } = await createPartner(db, DEMO_ACTOR, { name: DEMO_NAME, scopes: Object.keys(oauthScopes), internal: true });
  await seedPartnerChannel(db, partner.id);
  const credentials = { partnerId: partner.id, consumerKey: partner.consumerKey, consumerSecret, cardNumber };
  if (db.kind === 'pglite') writeFileSync(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  return credentials;
}

/** What npm start prints: the demo credentials and curl commands to paste (the Core API's on the internal listener when there is one). */
export function demoBanner(url: string, credentials: DemoCredentials, coreUrl = url): string {
  return [
    '',
    'Demo partner (embedded database):',
    `  consumer-key:    ${credentials.consumerKey}`,
    `  consumer-secret: ${credentials.consumerSecret}`,
    '',
    'Get a token:',
    `  curl -s -u '${credentials.consumerKey}:${credentials.consumerSecret}' -d grant_type=client_credentials ${url}/oauth/token`,
    '',
    'Call the API with it:',
    `  TOKEN=$(curl -s -u '${credentials.consumerKey}:${credentials.consumerSecret}' -d grant_type=client_credentials ${url}/oauth/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    `  curl -s -H "Authorization: Bearer $TOKEN" ${url}/partner/v1/me`,
    '',
    ...(credentials.cardNumber
      ? [
          'Look a member card up through the 3rd Party API (the partner quick start in docs/partner-api.md goes on from there):',
          `  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"cardNumber":"${credentials.cardNumber}"}' ${url}/partner/v1/cards/lookup`,
          '',
        ]
      : []),
    'Explore the Core API with the same token (demo network, clients, profile, service point, cards, vehicle, driver):',
    `  curl -s -H "Authorization: Bearer $TOKEN" ${coreUrl}/core/v1/cards`,
    '',
  ].join('\n');
}
