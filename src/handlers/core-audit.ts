/** Handlers of the `core-audit` tag: the audit trail and the security events. */
import type { Handlers } from '../../generated/operations';
import { listAuditEvents } from '../domain/audit/audit';
import { listSecurityEvents } from '../domain/security/security-events';
import { actorOf, type HandlerContext } from './context';

export const auditHandlers: Pick<Handlers<HandlerContext>, 'listAuditEvents' | 'listSecurityEvents'> = {
  listAuditEvents: (context, { query }) => listAuditEvents(context.db, actorOf(context), query ?? {}, query ?? {}),
  listSecurityEvents: (context, { query }) => listSecurityEvents(context.db, actorOf(context), query ?? {}, query ?? {}),
};
