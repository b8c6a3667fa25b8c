/** Handlers of the `core-fleet` tag: vehicles, drivers and the links of member cards to them. */
import type { Handlers } from '../../generated/operations';
import { createVehicle, findVehicle, listVehicles, updateVehicle } from '../domain/fleet/vehicles';
import { createDriver, findDriver, listDrivers, setDriverCode, updateDriver } from '../domain/fleet/drivers';
import { replaceCardFleet } from '../domain/fleet/card-fleet';
import { vehicleConsumption } from '../domain/fleet/consumption';
import { actorOf, type HandlerContext } from './context';

type FleetHandlers = Pick<
  Handlers<HandlerContext>,
  'listVehicles' | 'createVehicle' | 'getVehicle' | 'updateVehicle' | 'listDrivers' | 'createDriver' | 'getDriver' | 'updateDriver' | 'setDriverCode' | 'replaceCardFleet'
  | 'getVehicleConsumption'
>;

export const fleetHandlers: FleetHandlers = {
  listVehicles: (context, { query }) => listVehicles(context.db, actorOf(context), query ?? {}, query ?? {}),
  createVehicle: (context, { body }) => createVehicle(context.db, actorOf(context), body),
  getVehicle: (context, { path }) => findVehicle(context.db, actorOf(context), path.vehicleId),
  updateVehicle: (context, { path, body }) => updateVehicle(context.db, actorOf(context), path.vehicleId, body),
  getVehicleConsumption: (context, { path, query }) => vehicleConsumption(context.db, actorOf(context), path.vehicleId, query),
  listDrivers: (context, { query }) => listDrivers(context.db, actorOf(context), query ?? {}, query ?? {}),
  createDriver: (context, { body }) => createDriver(context.db, context.cardVault, actorOf(context), body),
  getDriver: (context, { path }) => findDriver(context.db, actorOf(context), path.driverId),
  updateDriver: (context, { path, body }) => updateDriver(context.db, actorOf(context), path.driverId, body),
  setDriverCode: (context, { path, body }) => setDriverCode(context.db, context.cardVault, actorOf(context), path.driverId, body.driverCode),
  replaceCardFleet: (context, { path, body }) => replaceCardFleet(context.db, actorOf(context), path.cardId, body),
};
