/**
 * The deployment's mode: `live` (real money) or `sandbox` (practice: simulations, magic values,
 * nothing real). A sandbox is a deployment of its own, with its own database (docs/sandbox.md
 * says why): the database is stamped with its mode by the first server that starts on it and a
 * server of the other mode refuses it, so the mode is a property of the data, not a column each
 * query must remember. Consumer-keys carry it (ck_test_ in a sandbox, ck_live_ in live) so a
 * credential is refused by a server of the other mode before any secret is compared.
 */
import type { Queryable } from '../db/database';
import { AppError } from './app-error';

export type DeploymentMode = 'live' | 'sandbox';

/** The prefix of a consumer-key made by a deployment of this mode. */
export const CONSUMER_KEY_PREFIX: Record<DeploymentMode, string> = { live: 'ck_live_', sandbox: 'ck_test_' };

/**
 * The mode a consumer-key belongs to: sandbox for `ck_test_`, live otherwise (`ck_live_`, and
 * keys made before modes existed, `ck_` with no mode).
 */
export const modeOfConsumerKey = (key: string): DeploymentMode => (key.startsWith(CONSUMER_KEY_PREFIX.sandbox) ? 'sandbox' : 'live');

/** Thrown when a database is stamped with another mode than the server's. */
export class DeploymentModeMismatch extends Error {}

const claimed = new WeakMap<Queryable, DeploymentMode>();

/**
 * Stamps the database with the server's mode if nothing stamped it yet, then checks the stamp:
 * a database of the other mode is refused (DeploymentModeMismatch), so a server never starts
 * on the other environment's data.
 */
export async function claimDeploymentMode(db: Queryable, mode: DeploymentMode): Promise<void> {
  await db.query(`INSERT INTO deployment (mode) VALUES ($1) ON CONFLICT (singleton) DO NOTHING`, [mode]);
  const stamped = await deploymentMode(db);
  if (stamped !== mode) {
    throw new DeploymentModeMismatch(
      `CYNOD_MODE is ${mode} but this database belongs to a ${stamped} deployment: a sandbox and a live deployment never share a database`,
    );
  }
}

/** The database's mode (live while nothing stamped it: a database made before modes existed, or by a CLI before any server). */
export async function deploymentMode(db: Queryable): Promise<DeploymentMode> {
  const known = claimed.get(db);
  if (known) return known;
  const [row] = await db.query<{ mode: DeploymentMode }>('SELECT mode FROM deployment');
  if (!row) return 'live';
  claimed.set(db, row.mode); // a stamp never changes
  return row.mode;
}

/** Refuses (SANDBOX_ONLY) an operation that only a sandbox deployment performs, such as a simulation. */
export async function requireSandbox(db: Queryable, what: string): Promise<void> {
  if ((await deploymentMode(db)) === 'sandbox') return;
  throw new AppError(
    'SANDBOX_ONLY',
    `${what} is only available on a sandbox deployment (CYNOD_MODE=sandbox, consumer-keys ck_test_...); this is a live deployment`,
  );
}
