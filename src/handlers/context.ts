/** What every handler receives besides its validated input. */
import type { Principal } from '../auth/principal';
import type { Database } from '../db/database';
import { AppError } from '../http/app-error';

export interface HandlerContext {
  requestId: string;
  db: Database;
  principal: Principal | undefined;
}

/** The caller of a secured operation (the security handlers guarantee it is there). */
export function callerOf(context: HandlerContext): Principal {
  if (!context.principal) throw new AppError('AUTHENTICATION_REQUIRED', 'This operation requires credentials');
  return context.principal;
}
