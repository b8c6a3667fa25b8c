/** Fuel-ticket values: a value in a unit, accepted for some energy types. */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import { findEnergyTypeRow } from './energy-types';
import { findUnit } from './units';
import { Money } from '../money';

export type FuelTicket = components['schemas']['FuelTicket'];
type FuelTicketCreate = components['schemas']['FuelTicketCreate'];

interface FuelTicketRow {
  seq: string;
  code: string;
  label: string;
  value: string;
  unit_code: string;
  energy_type_codes: string[];
  created_at: Date;
}

const toFuelTicket = (row: FuelTicketRow): FuelTicket => ({
  code: row.code,
  label: row.label,
  value: Money.fromStored(row.value, row.unit_code).toApi(),
  energyTypeCodes: row.energy_type_codes,
  createdAt: row.created_at.toISOString(),
});

export async function findFuelTicket(db: Queryable, actor: Actor, code: string): Promise<FuelTicket> {
  const [row] = await db.query<FuelTicketRow>('SELECT * FROM fuel_tickets WHERE code = $1', [code]);
  if (!row) throw new AppError('FUEL_TICKET_NOT_FOUND', `No fuel-ticket value ${code}`);
  return toFuelTicket(row);
}

export async function listFuelTickets(db: Queryable, actor: Actor, page: PageInput): Promise<Page<FuelTicket>> {
  return pageOfRows(db, 'fuel_tickets', [], page, toFuelTicket);
}

export async function createFuelTicket(db: Queryable, actor: Actor, input: FuelTicketCreate): Promise<FuelTicket> {
  const errors = [
    ...(input.value.value <= 0 ? [{ path: '/body/value/value', message: 'must be > 0' }] : []),
    ...(new Set(input.energyTypeCodes).size !== input.energyTypeCodes.length
      ? [{ path: '/body/energyTypeCodes', message: 'must not contain the same item twice' }]
      : []),
  ];
  if (errors.length) throw new AppError('VALIDATION_FAILED', 'The fuel-ticket value is not acceptable', { errors });
  return db.transaction(async (tx) => {
    await findUnit(tx, actor, input.value.unit);
    for (const code of input.energyTypeCodes) await findEnergyTypeRow(tx, actor, code);
    try {
      const [row] = await tx.query<FuelTicketRow>(
        'INSERT INTO fuel_tickets (code, label, value, unit_code, energy_type_codes) VALUES ($1, $2, $3, $4, $5) RETURNING *',
        [input.code, input.label.trim(), input.value.value, input.value.unit, input.energyTypeCodes],
      );
      const ticket = toFuelTicket(row);
      await recordAudit(tx, actor, { action: 'fuel-ticket.created', resourceType: 'fuel-ticket', resourceId: ticket.code, before: null, after: ticket });
      return ticket;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('DUPLICATE_CODE', `A fuel-ticket value with code ${input.code} exists`);
      throw error;
    }
  });
}
