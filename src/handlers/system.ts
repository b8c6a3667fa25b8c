/** Handlers of the `system` tag. */
import type { Handlers } from '../../generated/operations';
import type { HandlerContext } from './context';

type SystemHandlers = Pick<Handlers<HandlerContext>, 'getHealth' | 'getReady'>;

export const systemHandlers: SystemHandlers = {
  async getHealth() {
    return { status: 'ok' };
  },
  /** A failing query throws DatabaseUnavailableError, answered 503 by the error mapper. */
  async getReady({ db }) {
    await db.query('SELECT 1');
    return { status: 'ready', database: 'up' };
  },
};
