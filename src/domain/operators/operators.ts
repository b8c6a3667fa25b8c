/**
 * Back-office operators: people known by their OpenID Connect provider's issuer and subject,
 * the roles that carry rights per action, and the grants of roles to operators, each over a
 * scope of authority (the issuer, a network, a client company or a service point).
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import type { Actor } from '../actor';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import { newId } from '../ids';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import { findClient } from '../referential/clients';
import { findNetwork } from '../referential/networks';
import { findServicePoint } from '../referential/service-points';

export type Operator = components['schemas']['Operator'];
export type OperatorRole = components['schemas']['OperatorRole'];
type OperatorGrant = components['schemas']['OperatorGrant'];
type OperatorScope = components['schemas']['OperatorScope'];

interface OperatorRow {
  seq: string;
  id: string;
  issuer: string;
  subject: string;
  display_name: string;
  status: Operator['status'];
  created_at: Date;
  updated_at: Date;
}

interface RoleRow {
  seq: string;
  id: string;
  name: string;
  rights: string[];
  created_at: Date;
  updated_at: Date;
}

interface GrantRow {
  id: string;
  operator_id: string;
  role_id: string;
  role_name: string;
  rights: string[];
  scope_kind: OperatorScope['kind'];
  scope_id: string | null;
  created_at: Date;
}

const toRole = (row: RoleRow): OperatorRole => ({
  id: row.id,
  name: row.name,
  rights: row.rights,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const toGrant = (row: GrantRow): OperatorGrant => ({
  id: row.id,
  roleId: row.role_id,
  roleName: row.role_name,
  rights: row.rights,
  scope: { kind: row.scope_kind, id: row.scope_id },
  createdAt: row.created_at.toISOString(),
});

const toOperator = (row: OperatorRow, grants: OperatorGrant[]): Operator => ({
  id: row.id,
  issuer: row.issuer,
  subject: row.subject,
  displayName: row.display_name,
  status: row.status,
  grants,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const GRANTS_SQL = `SELECT g.id, g.operator_id, g.role_id, r.name AS role_name, r.rights, g.scope_kind, g.scope_id, g.created_at
       FROM operator_role_grants g JOIN operator_roles r ON r.id = g.role_id
      WHERE g.operator_id = ANY($1::text[]) ORDER BY g.seq`;

/** The operators of these rows, each with its grants. */
async function withGrants(db: Queryable, rows: OperatorRow[]): Promise<Operator[]> {
  if (rows.length === 0) return [];
  const grants = await db.query<GrantRow>(GRANTS_SQL, [rows.map((row) => row.id)]);
  return rows.map((row) => toOperator(row, grants.filter((grant) => grant.operator_id === row.id).map(toGrant)));
}

const operatorNotFound = (id: string) => new AppError('OPERATOR_NOT_FOUND', `No operator ${id}`);

async function operatorRow(db: Queryable, id: string, forUpdate = false): Promise<OperatorRow> {
  const [row] = await db.query<OperatorRow>(`SELECT * FROM operators WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) throw operatorNotFound(id);
  return row;
}

/** The active operator a provider's issuer and subject name, with its grants; null when none is enrolled or it is disabled. */
export async function activeOperatorBySubject(db: Queryable, issuer: string, subject: string): Promise<Operator | null> {
  const rows = await db.query<OperatorRow>(`SELECT * FROM operators WHERE issuer = $1 AND subject = $2 AND status = 'active'`, [issuer, subject]);
  const [operator] = await withGrants(db, rows);
  return operator ?? null;
}

export async function findOperator(db: Queryable, actor: Actor, id: string): Promise<Operator> {
  const [operator] = await withGrants(db, [await operatorRow(db, id)]);
  return operator;
}

export async function listOperators(db: Queryable, actor: Actor, page: PageInput): Promise<Page<Operator>> {
  const rows = await pageOfRows(db, 'operators', [], page, (row: OperatorRow) => row);
  return { ...rows, items: await withGrants(db, rows.items) };
}

export async function createOperator(db: Queryable, actor: Actor, input: components['schemas']['OperatorCreate']): Promise<Operator> {
  return db.transaction(async (tx) => {
    try {
      const [row] = await tx.query<OperatorRow>('INSERT INTO operators (id, issuer, subject, display_name) VALUES ($1, $2, $3, $4) RETURNING *', [
        newId('opr'),
        input.issuer,
        input.subject,
        input.displayName.trim(),
      ]);
      const operator = toOperator(row, []);
      await recordAudit(tx, actor, { action: 'operator.created', resourceType: 'operator', resourceId: operator.id, before: null, after: operator });
      return operator;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('OPERATOR_EXISTS', `An operator with issuer ${input.issuer} and this subject exists`);
      throw error;
    }
  });
}

export async function updateOperator(db: Queryable, actor: Actor, id: string, changes: components['schemas']['OperatorUpdate']): Promise<Operator> {
  return db.transaction(async (tx) => {
    const before = await findOperator(tx, actor, (await operatorRow(tx, id, true)).id);
    await tx.query(`UPDATE operators SET display_name = COALESCE($2, display_name), status = COALESCE($3, status), updated_at = now() WHERE id = $1`, [
      id,
      changes.displayName?.trim() ?? null,
      changes.status ?? null,
    ]);
    const after = await findOperator(tx, actor, id);
    await recordAudit(tx, actor, { action: 'operator.updated', resourceType: 'operator', resourceId: id, before, after });
    return after;
  });
}

export async function listOperatorRoles(db: Queryable, actor: Actor, page: PageInput): Promise<Page<OperatorRole>> {
  return pageOfRows(db, 'operator_roles', [], page, toRole);
}

/** Creates a role; `knownRights` is the contract's catalog (an unknown right is a validation failure). */
export async function createOperatorRole(
  db: Queryable,
  actor: Actor,
  input: components['schemas']['OperatorRoleCreate'],
  knownRights: readonly string[],
): Promise<OperatorRole> {
  const unknown = input.rights.filter((right) => !knownRights.includes(right));
  if (unknown.length > 0) {
    throw new AppError('VALIDATION_FAILED', `Unknown rights: ${unknown.join(', ')}`, {
      errors: unknown.map((right) => ({ path: `/body/rights/${input.rights.indexOf(right)}`, message: `${right} is not a right of the contract` })),
    });
  }
  return db.transaction(async (tx) => {
    try {
      const [row] = await tx.query<RoleRow>('INSERT INTO operator_roles (id, name, rights) VALUES ($1, $2, $3) RETURNING *', [
        newId('rol'),
        input.name.trim(),
        [...new Set(input.rights)].sort(),
      ]);
      const role = toRole(row);
      await recordAudit(tx, actor, { action: 'operator-role.created', resourceType: 'operator-role', resourceId: role.id, before: null, after: role });
      return role;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('OPERATOR_ROLE_EXISTS', `A role named ${input.name} exists`);
      throw error;
    }
  });
}

/** The scope's network, client or service point exists (404 with its own code otherwise). */
async function checkScope(db: Queryable, actor: Actor, scope: OperatorScope): Promise<void> {
  if (scope.kind === 'issuer') {
    if (scope.id !== null)
      throw new AppError('VALIDATION_FAILED', 'An issuer-wide grant names no id', {
        errors: [{ path: '/body/scope/id', message: 'must be null for the issuer' }],
      });
    return;
  }
  if (scope.id === null)
    throw new AppError('VALIDATION_FAILED', `A ${scope.kind} grant names its ${scope.kind}`, { errors: [{ path: '/body/scope/id', message: 'is required' }] });
  if (scope.kind === 'network') await findNetwork(db, actor, scope.id);
  else if (scope.kind === 'client') await findClient(db, actor, scope.id);
  else await findServicePoint(db, actor, scope.id);
}

export async function grantOperatorRole(
  db: Queryable,
  actor: Actor,
  operatorId: string,
  input: components['schemas']['OperatorGrantCreate'],
): Promise<Operator> {
  return db.transaction(async (tx) => {
    await operatorRow(tx, operatorId, true);
    const [role] = await tx.query<RoleRow>('SELECT * FROM operator_roles WHERE id = $1', [input.roleId]);
    if (!role) throw new AppError('OPERATOR_ROLE_NOT_FOUND', `No role ${input.roleId}`);
    await checkScope(tx, actor, input.scope);
    const before = await findOperator(tx, actor, operatorId);
    await tx.query(
      `INSERT INTO operator_role_grants (id, operator_id, role_id, scope_kind, scope_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [newId('grt'), operatorId, role.id, input.scope.kind, input.scope.id],
    );
    const after = await findOperator(tx, actor, operatorId);
    await recordAudit(tx, actor, { action: 'operator.role-granted', resourceType: 'operator', resourceId: operatorId, before, after });
    return after;
  });
}

export async function revokeOperatorGrant(db: Queryable, actor: Actor, operatorId: string, grantId: string): Promise<Operator> {
  return db.transaction(async (tx) => {
    await operatorRow(tx, operatorId, true);
    const before = await findOperator(tx, actor, operatorId);
    const removed = await tx.query('DELETE FROM operator_role_grants WHERE id = $1 AND operator_id = $2 RETURNING id', [grantId, operatorId]);
    if (removed.length === 0) throw new AppError('OPERATOR_GRANT_NOT_FOUND', `Operator ${operatorId} has no grant ${grantId}`);
    const after = await findOperator(tx, actor, operatorId);
    await recordAudit(tx, actor, { action: 'operator.role-revoked', resourceType: 'operator', resourceId: operatorId, before, after });
    return after;
  });
}
