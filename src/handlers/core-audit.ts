/** Handlers of the `core-audit` tag. */
import type { Handlers } from '../../generated/operations';
import { listAuditEvents } from '../domain/audit/audit';
import type { HandlerContext } from './context';

export const auditHandlers: Pick<Handlers<HandlerContext>, 'listAuditEvents'> = {
  listAuditEvents: (context, { query }) => listAuditEvents(context.db, query ?? {}, query ?? {}),
};
