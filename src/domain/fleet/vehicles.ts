/**
 * Vehicles of a client's fleet: registration, tank capacity, energy type.
 * Payment-time checks (a fill above the tank, a product other than the vehicle's energy type)
 * read a card's vehicle through cardVehicle().
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import { authorityFilter } from '../scope-of-authority';
import { newId } from '../ids';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import { fleetLinks } from '../cards/fleet-links';
import { lockActiveClient } from '../referential/clients';
import { findEnergyTypeRow } from '../referential/energy-types';

export type Vehicle = components['schemas']['Vehicle'];
type VehicleCreate = components['schemas']['VehicleCreate'];
type VehicleUpdate = components['schemas']['VehicleUpdate'];
type FleetStatus = components['schemas']['FleetStatus'];

interface VehicleRow {
  seq: string;
  id: string;
  client_id: string;
  registration: string;
  tank_capacity_ml: number;
  energy_type_code: string | null;
  status: FleetStatus;
  created_at: Date;
  updated_at: Date;
}

const toVehicle = (row: VehicleRow): Vehicle => ({
  id: row.id,
  clientId: row.client_id,
  registration: row.registration,
  tankCapacityMl: row.tank_capacity_ml,
  energyTypeCode: row.energy_type_code,
  status: row.status,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** A registration as stored and compared: upper-case ("ab-123-cd" is "AB-123-CD"). */
const normalizedRegistration = (registration: string) => registration.toUpperCase();

/** What an unknown vehicle answers (and one outside an operator's scope of authority). */
export const vehicleNotFound = (id: string) => new AppError('VEHICLE_NOT_FOUND', `No vehicle ${id}`);

/** The vehicle, or VEHICLE_NOT_FOUND; `lock` holds it for the transaction. */
export async function findVehicle(db: Queryable, actor: Actor, id: string, lock: 'update' | 'share' | null = null): Promise<Vehicle> {
  const [row] = await db.query<VehicleRow>(`SELECT * FROM vehicles WHERE id = $1${lock ? ` FOR ${lock.toUpperCase()}` : ''}`, [id]);
  if (!row) throw vehicleNotFound(id);
  return toVehicle(row);
}

/**
 * The vehicle a card is linked to, or null (no link, or an E-service card): what payment-time
 * checks read (tank capacity, energy type, status), in the caller's transaction.
 */
export async function cardVehicle(db: Queryable, cardId: string): Promise<Vehicle | null> {
  const vehicleId = (await fleetLinks(db, cardId))?.vehicle_id;
  const [row] = vehicleId ? await db.query<VehicleRow>('SELECT * FROM vehicles WHERE id = $1', [vehicleId]) : [];
  return row ? toVehicle(row) : null;
}

export async function listVehicles(db: Queryable, actor: Actor, filters: { clientId?: string; status?: FleetStatus }, page: PageInput): Promise<Page<Vehicle>> {
  return pageOfRows(
    db,
    'vehicles',
    [authorityFilter(actor, ['client_id']), ['client_id = ?', filters.clientId], ['status = ?', filters.status]],
    page,
    toVehicle,
  );
}

/** Runs an insert or update of a vehicle; another vehicle of the client with the registration is REGISTRATION_TAKEN. */
async function writeVehicle(run: () => Promise<VehicleRow[]>, registration: string): Promise<VehicleRow> {
  try {
    const [row] = await run();
    return row;
  } catch (error) {
    if (isUniqueViolation(error, 'vehicles_client_id_registration_key')) {
      throw new AppError('REGISTRATION_TAKEN', `Another vehicle of the client is registered ${registration}`, {
        errors: [{ path: '/body/registration', message: 'already registered for this client' }],
      });
    }
    throw error;
  }
}

/** Creates an active vehicle of an active client; audited. */
export async function createVehicle(db: Queryable, actor: Actor, input: VehicleCreate): Promise<Vehicle> {
  const registration = normalizedRegistration(input.registration);
  return db.transaction(async (tx) => {
    await lockActiveClient(tx, input.clientId, 'adding vehicles');
    if (input.energyTypeCode) await findEnergyTypeRow(tx, actor, input.energyTypeCode);
    const row = await writeVehicle(
      () =>
        tx.query<VehicleRow>('INSERT INTO vehicles (id, client_id, registration, tank_capacity_ml, energy_type_code) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
          newId('veh'),
          input.clientId,
          registration,
          input.tankCapacityMl,
          input.energyTypeCode ?? null,
        ]),
      registration,
    );
    const vehicle = toVehicle(row);
    await recordAudit(tx, actor, { action: 'vehicle.created', resourceType: 'vehicle', resourceId: vehicle.id, before: null, after: vehicle });
    return vehicle;
  });
}

/** Changes a vehicle's registration, tank capacity, energy type (null for none) or status; audited. */
export async function updateVehicle(db: Database, actor: Actor, id: string, changes: VehicleUpdate): Promise<Vehicle> {
  const registration = changes.registration === undefined ? undefined : normalizedRegistration(changes.registration);
  return db.transaction(async (tx) => {
    const before = await findVehicle(tx, actor, id, 'update');
    if (changes.energyTypeCode) await findEnergyTypeRow(tx, actor, changes.energyTypeCode);
    const row = await writeVehicle(
      () =>
        tx.query<VehicleRow>(
          `UPDATE vehicles SET registration = COALESCE($2, registration), tank_capacity_ml = COALESCE($3, tank_capacity_ml),
           energy_type_code = CASE WHEN $4 THEN $5 ELSE energy_type_code END, status = COALESCE($6, status), updated_at = now()
         WHERE id = $1 RETURNING *`,
          [
            id,
            registration ?? null,
            changes.tankCapacityMl ?? null,
            changes.energyTypeCode !== undefined,
            changes.energyTypeCode ?? null,
            changes.status ?? null,
          ],
        ),
      registration ?? before.registration,
    );
    const after = toVehicle(row);
    await recordAudit(tx, actor, { action: 'vehicle.updated', resourceType: 'vehicle', resourceId: id, before, after });
    return after;
  });
}
