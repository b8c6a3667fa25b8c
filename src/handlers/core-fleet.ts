/** Handlers of the `core-fleet` tag: vehicles, drivers and the links of member cards to them. */
import type { Handlers } from '../../generated/operations';
import { createVehicle, findVehicle, listVehicles, updateVehicle } from '../domain/fleet/vehicles';
import { createDriver, findDriver, listDrivers, setDriverCode, updateDriver } from '../domain/fleet/drivers';
import { replaceCardFleet } from '../domain/fleet/card-fleet';
import { listVehicleConsumption, vehicleConsumption } from '../domain/fleet/consumption';
import { actorOf, createOnce, type HandlerContext } from './context';

type FleetHandlers = Pick<
  Handlers<HandlerContext>,
  | 'listVehicles'
  | 'createVehicle'
  | 'getVehicle'
  | 'updateVehicle'
  | 'listDrivers'
  | 'createDriver'
  | 'getDriver'
  | 'updateDriver'
  | 'setDriverCode'
  | 'replaceCardFleet'
  | 'getVehicleConsumption'
  | 'listVehicleConsumption'
>;

export const fleetHandlers: FleetHandlers = {
  listVehicles: (context, { query }) => listVehicles(context.db, actorOf(context), query ?? {}, query ?? {}),
  createVehicle: (context, input) => createOnce(context, 'createVehicle', input, (db) => createVehicle(db, actorOf(context), input.body)),
  getVehicle: (context, { path }) => findVehicle(context.db, actorOf(context), path.vehicleId),
  updateVehicle: (context, { path, body }) => updateVehicle(context.db, actorOf(context), path.vehicleId, body),
  getVehicleConsumption: (context, { path, query }) => vehicleConsumption(context.db, actorOf(context), path.vehicleId, query),
  listVehicleConsumption: (context, { query }) => listVehicleConsumption(context.db, actorOf(context), query, query),
  listDrivers: (context, { query }) => listDrivers(context.db, actorOf(context), query ?? {}, query ?? {}),
  createDriver: (context, input) =>
    createOnce(context, 'createDriver', input, (db) => createDriver(db, context.cardVault, actorOf(context), input.body), {
      // The code is a secret: its keyed hash stands in for it in the stored fingerprint.
      fingerprint: { ...input.body, driverCode: context.cardVault.secretHash('driver-code', 'idempotency-fingerprint', input.body.driverCode) },
    }),
  getDriver: (context, { path }) => findDriver(context.db, actorOf(context), path.driverId),
  updateDriver: (context, { path, body }) => updateDriver(context.db, actorOf(context), path.driverId, body),
  setDriverCode: (context, { path, body }) => setDriverCode(context.db, context.cardVault, actorOf(context), path.driverId, body.driverCode),
  replaceCardFleet: (context, { path, body }) => replaceCardFleet(context.db, actorOf(context), path.cardId, body),
};
