/**
 * The two sides of a payment at a service point (the card's account and the station's
 * E-service account), read in one query with what the payment's checks need of the card: its
 * effective spending controls (cards/controls.ts), the service point's network and time zone, the
 * card's time zone (its client's, else its network's), the unit, the card's vehicle and driver, and the clock of the
 * card's world (clocks.ts: the wall clock but in a sandbox world moved forward).
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { effectiveControls } from '../cards/controls';
import { cardTimeZoneOf } from '../cards/spends';
import { cardAccountKey, eServiceAccount, type AccountKey } from '../ledger/accounts';
import { DEFAULT_TIME_ZONE } from '../time-zones';
import { clockMovesOf, clockOfMoves, type Clock } from '../clocks';

type SpendingControls = components['schemas']['SpendingControls'];
type EffectiveControls = components['schemas']['EffectiveControls'];

/** What the spending controls of a payment or authorisation need to know, read with its accounts. */
export interface SpendingContext {
  cardId: string;
  clientId: string | null;
  controls: EffectiveControls;
  servicePointId: string;
  networkId: string | null;
  timeZone: string;
  /** The card's time zone (cards/spends.ts cardTimeZoneOf: its client's, else its network's): the days, weeks and months of its limits. */
  cardTimeZone: string;
  /** The clock of the card's world: the instant its rules judge at, and the world time of its past spends. */
  clock: Clock;
  /** The payment's unit: money, or litres of one energy type at a scale. */
  unit: { code: string; kind: 'money' | 'volume'; scale: number; energyTypeCode: string | null };
  /** The vehicle the card is linked to: its tank bounds a fill, its energy type the products. */
  vehicle: { id: string; tankMl: bigint; energyTypeCode: string | null } | null;
  /**
   * The driver the card is issued to, whose code a transaction may be given: the card's wrong
   * codes in a row, and its profile's rules (the code required, the wrong codes that lock it).
   */
  driver: { id: string; codeHash: string; failures: number; maxFailures: number; codeRequired: boolean } | null;
}

/**
 * The two sides of a payment at a service point, in one query: the card's account in the
 * unit and the service point's E-service card and account (opened at its first payment in
 * the unit), with what the card's spending controls need (its rules and its profile's, the
 * service point's network and time zone, the card's time zone, the card's vehicle and driver). CARD_NOT_FOUND,
 * SERVICE_POINT_NOT_FOUND, then
 * UNIT_NOT_HELD.
 */
export async function paymentAccounts(
  tx: Queryable,
  cardId: string,
  servicePointId: string,
  unit: string,
): Promise<{ debit: AccountKey; stationCardId: string; credit: AccountKey; spending: SpendingContext }> {
  const [row] = await tx.query<{
    card: string | null;
    client_id: string | null;
    station_card: string | null;
    card_account: string | null;
    card_stored: boolean;
    station_account: string | null;
    station_stored: boolean;
    card_rules: SpendingControls | null;
    profile_rules: SpendingControls | null;
    network_id: string | null;
    time_zone: string;
    card_time_zone: string | null;
    unit_kind: 'money' | 'volume';
    unit_scale: number;
    unit_energy_type: string | null;
    vehicle_id: string | null;
    tank_ml: number | null;
    vehicle_energy_type: string | null;
    driver_id: string | null;
    driver_code_hash: string | null;
    driver_code_failures: number;
    driver_code_max_failures: number;
    driver_code_required: boolean;
    clock_moves: { movedAt: string; offsetSeconds: number }[] | null;
  }>(
    `SELECT c.id AS card, c.client_id, st.id AS station_card, ca.id AS card_account, ca.stored_balance AS card_stored, sa.id AS station_account, sa.stored_balance AS station_stored,
            cc.rules AS card_rules, pc.rules AS profile_rules, sp.network_id, sp.time_zone, ${cardTimeZoneOf('c.client_id')} AS card_time_zone, u.kind AS unit_kind, u.scale AS unit_scale, u.energy_type_code AS unit_energy_type,
            v.id AS vehicle_id, v.tank_capacity_ml AS tank_ml, v.energy_type_code AS vehicle_energy_type, d.id AS driver_id, d.code_hash AS driver_code_hash,
            c.driver_code_failures, p.driver_code_max_failures, p.driver_code_required, ${clockMovesOf('c.client_id')} AS clock_moves
       FROM (SELECT 1) one
       LEFT JOIN cards c ON c.id = $1
       LEFT JOIN cards st ON st.service_point_id = $2
       LEFT JOIN service_points sp ON sp.id = $2
       LEFT JOIN ledger_accounts ca ON ca.card_id = c.id AND ca.unit_code = $3
       LEFT JOIN ledger_accounts sa ON sa.card_id = st.id AND sa.unit_code = $3
       LEFT JOIN card_controls cc ON cc.card_id = c.id
       LEFT JOIN card_profile_controls pc ON pc.profile_id = c.profile_id
       LEFT JOIN units u ON u.code = $3
       LEFT JOIN vehicles v ON v.id = c.vehicle_id
       LEFT JOIN drivers d ON d.id = c.driver_id
       LEFT JOIN card_profiles p ON p.id = c.profile_id`,
    [cardId, servicePointId, unit],
    { prepare: true },
  );
  if (!row.card) throw new AppError('CARD_NOT_FOUND', `No card ${cardId}`);
  if (!row.station_card) throw new AppError('SERVICE_POINT_NOT_FOUND', `No service point ${servicePointId}`);
  if (!row.card_account)
    throw new AppError('UNIT_NOT_HELD', `Card ${cardId} holds no balance in ${unit}`, {
      errors: [{ path: '/body/amount/unit', message: 'a unit the card does not hold' }],
    });
  const credit = row.station_account
    ? cardAccountKey(row.station_account, row.station_card, unit, row.station_stored)
    : await eServiceAccount(tx, row.station_card, unit);
  return {
    debit: cardAccountKey(row.card_account, cardId, unit, row.card_stored),
    stationCardId: row.station_card,
    credit,
    spending: {
      cardId,
      clientId: row.client_id,
      controls: effectiveControls(row.card_rules ?? {}, row.profile_rules ?? {}),
      servicePointId,
      networkId: row.network_id,
      timeZone: row.time_zone,
      cardTimeZone: row.card_time_zone ?? DEFAULT_TIME_ZONE,
      clock: clockOfMoves(row.clock_moves),
      unit: { code: unit, kind: row.unit_kind, scale: row.unit_scale, energyTypeCode: row.unit_energy_type },
      vehicle: row.vehicle_id ? { id: row.vehicle_id, tankMl: BigInt(row.tank_ml as number), energyTypeCode: row.vehicle_energy_type } : null,
      driver: row.driver_id
        ? {
            id: row.driver_id,
            codeHash: row.driver_code_hash as string,
            failures: row.driver_code_failures,
            maxFailures: row.driver_code_max_failures,
            codeRequired: row.driver_code_required,
          }
        : null,
    },
  };
}
