/**
 * A sandbox partner's test clock (docs/sandbox.md): the time of its world, the member cards of
 * the clients it has an active contract for, which it moves forward on demand so that what time
 * drives happens without waiting, for that world only. The moves are kept per client (clocks.ts);
 * the rules that count time take it from the card's clock (payments/payment-accounts.ts), and
 * advancing brings the world's deadlines nearer: its cards' open holds (released when due, as the
 * sweep releases them) and, through `alsoDue`, what the layers above own (the partner's webhook
 * retries). A client shared with another partner is refused: its time is theirs too.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { partnerIdOf, type Actor } from '../actor';
import { AppError } from '../app-error';
import { clientClocksOffset, moveClientClocks } from '../clocks';
import { requireSandbox } from '../deployment';
import { advanceHolds } from '../payments/holds';
import { contractedClients } from './reach';

type SandboxClock = components['schemas']['SandboxClock'];

const WHAT = 'A test clock';

async function worldOf(db: Queryable, partnerId: string): Promise<{ clientId: string; shared: boolean }[]> {
  const rows = await db.query<{ client_id: string; shared: boolean }>(`SELECT client_id, shared FROM ${contractedClients('$1')} c ORDER BY client_id`, [
    partnerId,
  ]);
  return rows.map((row) => ({ clientId: row.client_id, shared: row.shared }));
}

const clockAt = (offsetSeconds: number, clientIds: string[]): SandboxClock => ({
  now: new Date(Date.now() + offsetSeconds * 1000).toISOString(),
  advancedSeconds: offsetSeconds,
  clientIds,
});

/** The partner's clock: the furthest of its clients' (the wall clock when none moved). */
export async function getSandboxClock(db: Queryable, actor: Actor): Promise<SandboxClock> {
  await requireSandbox(db, WHAT);
  const clientIds = (await worldOf(db, partnerIdOf(actor))).map((client) => client.clientId);
  return clockAt(clientIds.length === 0 ? 0 : await clientClocksOffset(db, clientIds), clientIds);
}

/** What else comes due when a partner's clock moves, owned by the layers above (its webhook retries). */
export type AlsoDue = (tx: Queryable, partnerId: string, seconds: number) => Promise<unknown>;

/**
 * Moves the partner's world forward by `seconds`, in one transaction: its clients' clocks, its
 * cards' open holds (those now due released, `hold.expired`), and `alsoDue`. One move of a
 * partner at a time. SANDBOX_CLOCK_NO_WORLD without a contracted client, SANDBOX_CLOCK_SHARED
 * when one is contracted to another partner too.
 */
export async function advanceSandboxClock(db: Queryable, actor: Actor, seconds: number, alsoDue: readonly AlsoDue[]): Promise<SandboxClock> {
  await requireSandbox(db, WHAT);
  const partnerId = partnerIdOf(actor);
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('sandbox-clock ' || $1, 0))`, [partnerId]);
    const world = await worldOf(tx, partnerId);
    if (world.length === 0)
      throw new AppError('SANDBOX_CLOCK_NO_WORLD', `Partner ${partnerId} has no active contract for a client: its clock has no cards to move`);
    const shared = world.find((client) => client.shared);
    if (shared)
      throw new AppError(
        'SANDBOX_CLOCK_SHARED',
        `Client ${shared.clientId} is also contracted to another partner: a test clock moves only a world of the partner's own`,
      );
    const clientIds = world.map((client) => client.clientId);
    const offset = await moveClientClocks(tx, partnerId, clientIds, seconds);
    await advanceHolds(tx, clientIds, seconds);
    for (const due of alsoDue) await due(tx, partnerId, seconds);
    return clockAt(offset, clientIds);
  });
}
