/** Core API: operators, their roles and role grants. */
import { operatorRights, type Handlers } from '../../generated/operations';
import {
  createOperator,
  createOperatorRole,
  findOperator,
  grantOperatorRole,
  listOperatorRoles,
  listOperators,
  revokeOperatorGrant,
  updateOperator,
} from '../domain/operators/operators';
import { actorOf, createOnce, type HandlerContext } from './context';

type OperatorHandlers = Pick<
  Handlers<HandlerContext>,
  | 'listOperators'
  | 'createOperator'
  | 'getOperator'
  | 'updateOperator'
  | 'grantOperatorRole'
  | 'revokeOperatorGrant'
  | 'listOperatorRoles'
  | 'createOperatorRole'
>;

/** The rights the contract defines (its root x-operator-rights): a role carries only these. */
const KNOWN_RIGHTS = Object.keys(operatorRights);

export const operatorHandlers: OperatorHandlers = {
  listOperators: (context, { query }) => listOperators(context.db, actorOf(context), query ?? {}),
  createOperator: (context, input) => createOnce(context, 'createOperator', input, (db) => createOperator(db, actorOf(context), input.body)),
  getOperator: (context, { path }) => findOperator(context.db, actorOf(context), path.operatorId),
  updateOperator: (context, { path, body }) => updateOperator(context.db, actorOf(context), path.operatorId, body),
  grantOperatorRole: (context, input) =>
    createOnce(context, 'grantOperatorRole', input, (db) => grantOperatorRole(db, actorOf(context), input.path.operatorId, input.body)),
  revokeOperatorGrant: (context, { path }) => revokeOperatorGrant(context.db, actorOf(context), path.operatorId, path.grantId),
  listOperatorRoles: (context, { query }) => listOperatorRoles(context.db, actorOf(context), query ?? {}),
  createOperatorRole: (context, input) =>
    createOnce(context, 'createOperatorRole', input, (db) => createOperatorRole(db, actorOf(context), input.body, KNOWN_RIGHTS)),
};
