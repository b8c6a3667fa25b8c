/** Handlers of the `system` tag. */
import type { Handlers } from '../../generated/operations';
import { AppError } from '../domain/app-error';
import type { HandlerContext } from './context';

type SystemHandlers = Pick<Handlers<HandlerContext>, 'getHealth' | 'getReady'>;

export const systemHandlers: SystemHandlers = {
  async getHealth({ settings }) {
    return { status: 'ok', mode: settings.mode };
  },
  /** 503 while the process shuts down; a failing query throws DatabaseUnavailableError, answered 503 by the error mapper. */
  async getReady({ db, draining }) {
    if (draining())
      throw new AppError('SERVICE_UNAVAILABLE', 'The server is shutting down; send requests to another instance', { headers: { 'Retry-After': '5' } });
    await db.query('SELECT 1');
    return { status: 'ready', database: 'up' };
  },
};
