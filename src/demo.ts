/**
 * Demo data for `npm start` on the embedded database, created the first time: a demo partner
 * holding every scope, and a network, two clients, energy prices, a card profile, a service
 * point, a few cards, a vehicle and a driver to explore the Core API with; the partner is
 * contracted for both clients and the service point, with a funded float and recharge limits,
 * to walk the 3rd Party API's quick start with, and the demo operators (an issuer administrator,
 * a voucher maker, a checker, a fleet manager of one client), who log in at the embedded OpenID
 * provider when no other is configured. The partner's credentials and a card's number
 * are kept in the data directory (git-ignored, mode 0600) so that every start can print them;
 * a real deployment (DATABASE_URL) creates partners with the CLI instead.
 */
import { randomBytes } from 'node:crypto';
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
import { AppError } from './domain/app-error';
import { newTotpSecret, totpUri } from './auth/totp';
import { activeOperatorBySubject, createOperator, createOperatorRole, grantOperatorRole, listOperatorRoles } from './domain/operators/operators';

export interface DemoCredentials {
  partnerId: string;
  consumerKey: string;
  consumerSecret: string;
  /** A member card's full number, to look up through the 3rd Party API (null if the demo data was seeded by an earlier start). */
  cardNumber?: string | null;
}

const DEMO_NAME = 'Partenaire de démonstration';

const DEMO_ACTOR = SYSTEM_ACTORS.demo;

/** Where the demo operators are enrolled when no OpenID Connect provider is configured at the first start: the embedded provider's operators. */
export const DEMO_OPERATORS_ISSUER = 'urn:cynod:demo-operators';

/** The issuer an authenticator app shows beside a demo operator's codes. */
const TOTP_ISSUER = 'CYNOD';

const EVERY_RIGHT = Object.keys(operatorRights);
const READ_RIGHTS = EVERY_RIGHT.filter((right) => right.endsWith('.read'));

/** A demo operator: subject at the provider, name, role (its rights) and where the role is granted. */
interface DemoOperatorSeed {
  subject: string;
  displayName: string;
  role: { name: string; rights: readonly string[] };
  /** The client company (by code) the role is granted over; the whole issuer when absent. */
  clientCode?: string;
}

/**
 * One operator per demo role. The administrator holds every right but the vouchers' (entering,
 * validating, executing them is the maker's and the checker's); the maker enters vouchers, the
 * checker validates and executes them (another person: maker-checker); the fleet manager reads
 * its client, its cards, fleet and activity, blocks, suspends and reactivates cards, sets their
 * controls and the drivers' codes, over SOTRA only.
 */
const DEMO_OPERATORS: readonly DemoOperatorSeed[] = [
  {
    subject: 'admin-emetteur',
    displayName: "Mariam Ouattara (administratrice de l'émetteur)",
    role: { name: "Administrateur de l'émetteur", rights: EVERY_RIGHT.filter((right) => !right.startsWith('orders.')) },
  },
  {
    subject: 'saisie-bons',
    displayName: 'Koffi Yao (saisie des bons)',
    role: { name: 'Saisie des bons de commande', rights: [...READ_RIGHTS, 'orders.enter'] },
  },
  {
    subject: 'validation-bons',
    displayName: 'Fatou Bamba (validation des bons)',
    role: { name: 'Validation des bons de commande', rights: [...READ_RIGHTS, 'orders.validate', 'orders.execute'] },
  },
  {
    subject: 'gestionnaire-sotra',
    displayName: 'Aminata Koné (flotte SOTRA)',
    role: {
      name: 'Gestionnaire de flotte',
      rights: ['clients.read', 'cards.read', 'cards.lifecycle', 'cards.controls', 'controls.read', 'fleet.read', 'fleet.write', 'ledger.read'],
    },
    clientCode: 'SOTRA',
  },
];

/** A demo operator as npm start shows it: subject (the username at the embedded provider), name, role and password. */
export interface DemoOperator {
  subject: string;
  displayName: string;
  roleName: string;
  password: string;
  /** The second factor's TOTP secret (base32), for an authenticator app. */
  totpSecret: string;
}

/** What demo-operators.json keeps per subject (a bare string: a password kept before the second factor). */
type KeptCredentials = Record<string, { password: string; totpSecret: string } | string>;

/** The role named so, created with these rights when there is none. */
async function demoRole(db: Database, role: DemoOperatorSeed['role']): Promise<string> {
  try {
    return (await createOperatorRole(db, DEMO_ACTOR, { name: role.name, rights: [...role.rights] }, EVERY_RIGHT)).id;
  } catch (error) {
    if (!(error instanceof AppError && error.codeName === 'OPERATOR_ROLE_EXISTS')) throw error;
  }
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await listOperatorRoles(db, DEMO_ACTOR, { limit: 100, cursor });
    const found = page.items.find((item) => item.name === role.name);
    if (found) return found.id;
    cursor = page.nextCursor ?? undefined;
  }
  throw new Error(`the demo role ${role.name} exists but could not be read`);
}

/**
 * Enrols the demo operators missing under `issuer` (every start: a data directory seeded before
 * them gets them too), each with its role; the fleet manager only where the demo client SOTRA
 * exists. Their passwords and TOTP secrets at the embedded provider are kept in
 * `demo-operators.json` in the data directory (mode 0600) on the embedded database, made anew at
 * each start on PostgreSQL.
 */
export async function ensureDemoOperators(db: Database, dataDir: string, issuer: string): Promise<DemoOperator[]> {
  const sotraId = await clientIdByCode(db, 'SOTRA');
  const file = join(dataDir, 'demo-operators.json');
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as KeptCredentials) : {};
  const credentials: Record<string, { password: string; totpSecret: string }> = {};
  const operators: DemoOperator[] = [];
  for (const seed of DEMO_OPERATORS) {
    const scopeId = seed.clientCode === 'SOTRA' ? sotraId : null;
    if (seed.clientCode === 'SOTRA' && sotraId === null) continue;
    if (!(await activeOperatorBySubject(db, issuer, seed.subject))) {
      try {
        const operator = await createOperator(db, DEMO_ACTOR, { issuer, subject: seed.subject, displayName: seed.displayName });
        const roleId = await demoRole(db, seed.role);
        await grantOperatorRole(db, DEMO_ACTOR, operator.id, {
          roleId,
          scope: scopeId === null ? { kind: 'issuer', id: null } : { kind: 'client', id: scopeId },
        });
      } catch (error) {
        // Enrolled and disabled by an administrator: left so.
        if (!(error instanceof AppError && error.codeName === 'OPERATOR_EXISTS')) throw error;
        continue;
      }
    }
    const before = kept[seed.subject];
    const password = typeof before === 'string' ? before : (before?.password ?? randomBytes(9).toString('base64url'));
    credentials[seed.subject] = { password, totpSecret: (typeof before === 'object' ? before.totpSecret : undefined) ?? newTotpSecret() };
    operators.push({ subject: seed.subject, displayName: seed.displayName, roleName: seed.role.name, ...credentials[seed.subject] });
  }
  if (db.kind === 'pglite') writeFileSync(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  return operators;
}

/** Seeds the referential; returns the number of the card the quick start uses. */
async function seedReferential(db: Database, vault: CardVault): Promise<string> {
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

/** Creates the demo data the first time (the demo operators: ensureDemoOperators). */
export async function ensureDemoData(db: Database, dataDir: string, vault: CardVault): Promise<DemoCredentials | null> {
  const file = join(dataDir, 'demo-credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
  if (await partnerNamed(db, DEMO_NAME)) return null; // created earlier, credentials file removed: the secret cannot be shown again
  const seeded = (await networkIdByCode(db, 'RES-ABIDJAN')) !== null;
  const cardNumber = seeded ? null : await seedReferential(db, vault);
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

/** What npm start prints for operators: the embedded provider's login page, the demo operators, their passwords and TOTP URIs (never a current code). */
export function operatorsBanner(provider: { issuer: string; loginUrl: string }, operators: readonly DemoOperator[]): string {
  const width = Math.max(...operators.map((operator) => operator.subject.length));
  return [
    `Demo operators (embedded OpenID provider, issuer ${provider.issuer}):`,
    ...operators.flatMap((operator) => [
      `  ${operator.subject.padEnd(width)}  password ${operator.password}  ${operator.displayName}, ${operator.roleName}`,
      `  ${' '.repeat(width)}  TOTP ${totpUri(TOTP_ISSUER, operator.subject, operator.totpSecret)}`,
    ]),
    '',
    `Log in as an operator: open ${provider.loginUrl} in a browser; after the login page it shows your access`,
    'token and a ready-to-paste command calling the Core API with it (authorization code with PKCE).',
    'Second factor: add the TOTP URI above to an authenticator app and give its six-digit code after the',
    'password; without it the token is password-only, and executing a voucher or revealing a card number',
    'answers 4186 (they demand a recent multi-factor login: log in again for a new token).',
    '',
  ].join('\n');
}
