/** Reading operations: by id, and lists filtered by reference, type, card and time. */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { Money, type StoredAmount } from '../money';
import { afterSettled, pageSize, settledPosition, toSettledPage, whereClause, type PageInput, type SettledPage } from '../pagination';
import { withinAuthority } from '../scope-of-authority';
import type { Actor } from '../actor';
import { accountRef, type AccountRow } from './accounts';

export type Operation = components['schemas']['Operation'];
export type OperationType = Operation['type'];

export interface OperationRow {
  seq: string;
  xact: string;
  id: string;
  reference: string;
  type: OperationType;
  status: Operation['status'];
  unit_code: string;
  amount: StoredAmount;
  debit_account_id: string;
  credit_account_id: string;
  service_point_id: string | null;
  partner_id: string | null;
  external_reference: string | null;
  receipt_number: string | null;
  service: Operation['service'];
  fuel: Operation['fuel'];
  pump_number: number | null;
  reason: string | null;
  comment: string | null;
  cancels_operation_id: string | null;
  cancelled_by_operation_id: string | null;
  corrects_operation_id: string | null;
  settles_operation_id: string | null;
  order_id: string | null;
  terminal_id: string | null;
  terminal_transaction_id: string | null;
  occurred_at: Date | null;
  vehicle_id: string | null;
  odometer_km: string | null;
  driver_check: Operation['driverCheck'];
  actor_kind: string;
  actor_id: string | null;
  actor_name: string;
  channel: Operation['channel'];
  request_id: string | null;
  created_at: Date;
}

type AccountSide = Pick<AccountRow, 'id' | 'kind' | 'card_id' | 'partner_id'>;

export function toOperation(row: OperationRow, accounts: { debit: AccountSide; credit: AccountSide }): Operation {
  return {
    id: row.id,
    reference: row.reference,
    type: row.type,
    status: row.status,
    amount: Money.fromStored(row.amount, row.unit_code).toApi(),
    debit: accountRef(accounts.debit),
    credit: accountRef(accounts.credit),
    servicePointId: row.service_point_id,
    partnerId: row.partner_id,
    externalReference: row.external_reference,
    receiptNumber: row.receipt_number,
    service: row.service,
    fuel: row.fuel,
    pumpNumber: row.pump_number,
    vehicleId: row.vehicle_id,
    odometerKm: row.odometer_km === null ? null : Number(row.odometer_km),
    driverCheck: row.driver_check,
    reason: row.reason,
    comment: row.comment,
    cancels: row.cancels_operation_id,
    cancelledBy: row.cancelled_by_operation_id,
    corrects: row.corrects_operation_id,
    settles: row.settles_operation_id,
    orderId: row.order_id,
    offline:
      row.terminal_transaction_id === null
        ? null
        : { terminalId: row.terminal_id as string, terminalTransactionId: row.terminal_transaction_id, occurredAt: (row.occurred_at as Date).toISOString() },
    actor: { id: row.actor_id, name: row.actor_name },
    channel: row.channel,
    requestId: row.request_id,
    createdAt: row.created_at.toISOString(),
  };
}

/** An operation row with what its two accounts belong to (OPERATION_SELECT). */
export interface JoinedRow extends OperationRow {
  debit_kind: AccountRow['kind'];
  debit_card_id: string | null;
  debit_partner_id: string | null;
  credit_kind: AccountRow['kind'];
  credit_card_id: string | null;
  credit_partner_id: string | null;
}

/** Operations `o` joined to their debit `d` and credit `c` accounts; add WHERE and ORDER BY. */
export const OPERATION_SELECT = `SELECT o.*, d.kind AS debit_kind, d.card_id AS debit_card_id, d.partner_id AS debit_partner_id,
                       c.kind AS credit_kind, c.card_id AS credit_card_id, c.partner_id AS credit_partner_id
                  FROM ledger_operations o
                  JOIN ledger_accounts d ON d.id = o.debit_account_id
                  JOIN ledger_accounts c ON c.id = o.credit_account_id`;

export const fromJoined = (row: JoinedRow): Operation =>
  toOperation(row, {
    debit: { id: row.debit_account_id, kind: row.debit_kind, card_id: row.debit_card_id, partner_id: row.debit_partner_id },
    credit: { id: row.credit_account_id, kind: row.credit_kind, card_id: row.credit_card_id, partner_id: row.credit_partner_id },
  });

/** What an unknown operation answers (and one outside an operator's scope of authority). */
export const operationNotFound = (id: string) => new AppError('OPERATION_NOT_FOUND', `No operation ${id}`);

/** The operation row, optionally locked (a cancellation locks the operation it reverses). */
export async function operationRow(db: Queryable, id: string, forUpdate = false): Promise<OperationRow> {
  const [row] = await db.query<OperationRow>(`SELECT * FROM ledger_operations WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) throw operationNotFound(id);
  return row;
}

export async function findOperation(db: Queryable, actor: Actor, id: string): Promise<Operation> {
  const [row] = await db.query<JoinedRow>(`${OPERATION_SELECT} WHERE o.id = $1`, [id]);
  if (!row) throw operationNotFound(id);
  return fromJoined(row);
}

export interface OperationFilters {
  reference?: string;
  /** The partner the operations name (its own: made through the 3rd Party API, or moving its float). */
  partnerId?: string;
  externalReference?: string;
  type?: OperationType;
  cardId?: string;
  from?: string;
  to?: string;
}

/**
 * Operations in settled order (pagination.ts): a page never shifts and never gains an
 * operation later; new ones come after the last page, read from its `resumeCursor`.
 */
export async function listOperations(db: Queryable, actor: Actor, filters: OperationFilters, page: PageInput): Promise<SettledPage<Operation>> {
  const limit = pageSize(page.limit);
  const params: unknown[] = [];
  const where = whereClause(
    [
      [afterSettled('o.', settledPosition(page.cursor), params), true],
      [
        `(${withinAuthority(['o.service_point_id'])} OR EXISTS (SELECT 1 FROM cards k WHERE k.id IN (d.card_id, c.card_id) AND ${withinAuthority(['k.client_id', 'k.service_point_id'])}))`,
        actor.scopeOfAuthority,
      ],
      ['o.reference = ?', filters.reference],
      ['o.partner_id = ?', filters.partnerId],
      ['o.external_reference = ?', filters.externalReference],
      ['o.type = ?', filters.type],
      ['? IN (d.card_id, c.card_id)', filters.cardId],
      ['o.created_at >= ?', filters.from],
      ['o.created_at < ?', filters.to],
    ],
    params,
  );
  const rows = await db.query<JoinedRow>(`${OPERATION_SELECT} ${where} ORDER BY o.xact, o.seq LIMIT ${limit + 1}`, params);
  return toSettledPage(rows, limit, page.cursor, fromJoined);
}
