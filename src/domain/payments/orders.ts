/**
 * Order vouchers (bons de commande): recharges, transfers, full transfers and E-service
 * recharges are entered, validated by someone else (maker-checker, unless the validator holds
 * core:orders.chain), then executed: every line one operation, all in one transaction. Each
 * step is recorded with its actor and raises an `order.status-changed` event.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { AppError, labelled } from '../app-error';
import { newId } from '../ids';
import { Money } from '../money';
import { cursorPosition, pageSize, toPage, whereClause, type Page, type PageInput } from '../pagination';
import { holdsScope, type Actor } from '../actor';
import { idempotent, type IdempotentRequest } from '../idempotency';
import { recordEvent } from '../events/events';
import { oneIdentity } from '../partners/lines';
import { partnerRow } from '../partners/partners';
import { clientInReach } from '../partners/reach';
import { countInDay, limitBreach, limitRows, rechargedToCardToday, type LimitRow } from '../partners/recharge-limits';
import { availableOf, cardAccounts, eServiceAccount, partnerFloatAccount, systemAccount, type AccountKey, type AccountRow } from '../ledger/accounts';
import { checkReceivingCard, checkSpendingCard } from './card-rules';
import { lockLedger, postAll, type LockedCard, type Posting } from '../ledger/posting';
import { worldNowOf } from '../clocks';

export type Order = components['schemas']['Order'];
type OrderCreate = components['schemas']['OrderCreate'];
type OrderStatus = Order['status'];
type Step = Order['steps'][number]['step'];

/** The right that lets one actor validate the vouchers they entered. */
const CHAIN_SCOPE = 'core:orders.chain';

interface StoredLine {
  cardId: string | null;
  servicePointId: string | null;
  amount: { value: number; unit: string } | null;
}

interface OrderRow {
  seq: string;
  id: string;
  type: Order['type'];
  status: OrderStatus;
  source_partner_id: string | null;
  from_card_id: string | null;
  lines: StoredLine[];
  reason: string | null;
  comment: string | null;
  author_kind: string;
  author_id: string | null;
  author_name: string;
  created_at: Date;
  updated_at: Date;
}

interface StepRow {
  order_id: string;
  step: Step;
  actor_id: string | null;
  actor_name: string;
  channel: Order['steps'][number]['channel'];
  request_id: string | null;
  comment: string | null;
  at: Date;
}

/** Vouchers in the contract's shape, their steps and operations read in one query. */
async function toOrders(db: Queryable, rows: OrderRow[]): Promise<Order[]> {
  if (rows.length === 0) return [];
  const related = await db.query<{ id: string; steps: (Omit<StepRow, 'at'> & { at: string })[] | null; operation_ids: string[] | null }>(
    `SELECT o.id,
            (SELECT json_agg(json_build_object('order_id', s.order_id, 'step', s.step, 'actor_id', s.actor_id, 'actor_name', s.actor_name, 'channel', s.channel,
                                               'request_id', s.request_id, 'comment', s.comment, 'at', s.at) ORDER BY s.seq)
               FROM order_steps s WHERE s.order_id = o.id) AS steps,
            (SELECT array_agg(op.id ORDER BY op.seq) FROM ledger_operations op WHERE op.order_id = o.id) AS operation_ids
       FROM unnest($1::text[]) AS o (id)`,
    [rows.map((row) => row.id)],
  );
  const byId = new Map(related.map((row) => [row.id, row]));
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    status: row.status,
    sourcePartnerId: row.source_partner_id,
    fromCardId: row.from_card_id,
    lines: row.lines,
    reason: row.reason,
    comment: row.comment,
    steps: (byId.get(row.id)?.steps ?? []).map((step) => ({
      step: step.step,
      actor: { id: step.actor_id, name: step.actor_name },
      channel: step.channel,
      requestId: step.request_id,
      comment: step.comment,
      at: new Date(step.at).toISOString(),
    })),
    operationIds: byId.get(row.id)?.operation_ids ?? [],
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }));
}

async function orderRow(db: Queryable, id: string, forUpdate = false): Promise<OrderRow> {
  const [row] = await db.query<OrderRow>(`SELECT * FROM orders WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) throw new AppError('ORDER_NOT_FOUND', `No order voucher ${id}`);
  return row;
}

export async function findOrder(db: Queryable, actor: Actor, id: string): Promise<Order> {
  return (await toOrders(db, [await orderRow(db, id)]))[0];
}

export async function listOrders(db: Queryable, actor: Actor, filters: { status?: OrderStatus; type?: Order['type'] }, page: PageInput): Promise<Page<Order>> {
  const limit = pageSize(page.limit);
  const params: unknown[] = [];
  const where = whereClause(
    [
      ['seq > ?', cursorPosition(page.cursor)],
      ['status = ?', filters.status],
      ['type = ?', filters.type],
    ],
    params,
  );
  const rows = await db.query<OrderRow>(`SELECT * FROM orders ${where} ORDER BY seq LIMIT ${limit + 1}`, params);
  const result = toPage(rows, limit, (row) => row);
  return { items: await toOrders(db, result.items), nextCursor: result.nextCursor };
}

const invalid = (path: string, message: string) => new AppError('VALIDATION_FAILED', `${path}: ${message}`, { errors: [{ path, message }] });

/** What each type needs of the voucher's fields and lines. */
function checkShape(input: OrderCreate): void {
  const many = input.type === 'recharge' || input.type === 'eservice-recharge';
  if (input.sourcePartnerId !== undefined && input.type !== 'recharge') throw invalid('/body/sourcePartnerId', 'only for a recharge');
  if ((input.fromCardId === undefined) === !many) throw invalid('/body/fromCardId', many ? 'not for this type' : 'required for a transfer');
  if (!many && input.lines.length !== 1) throw invalid('/body/lines', 'a transfer has exactly one line, the receiving card');
  input.lines.forEach((line, index) => {
    const at = `/body/lines/${index}`;
    const wantsServicePoint = input.type === 'eservice-recharge';
    if (wantsServicePoint ? line.servicePointId === undefined : line.cardId === undefined)
      throw invalid(`${at}/${wantsServicePoint ? 'servicePointId' : 'cardId'}`, 'required');
    if (wantsServicePoint ? line.cardId !== undefined : line.servicePointId !== undefined)
      throw invalid(`${at}/${wantsServicePoint ? 'cardId' : 'servicePointId'}`, 'not for this type');
    if ((line.amount === undefined) !== (input.type === 'full-transfer'))
      throw invalid(`${at}/amount`, input.type === 'full-transfer' ? 'a full transfer moves the whole balance' : 'required');
  });
}

/** A voucher's type and cards, as stored or as entered. */
type VoucherCards = Pick<OrderRow, 'type' | 'from_card_id'> & { lines: readonly Pick<StoredLine, 'cardId'>[] };

/** The statuses a full transfer may empty: opposed, or cancelled while it held value (before cancellations moved balances: payments/card-closure.ts). */
const FULL_TRANSFER_SOURCES: readonly LockedCard['status'][] = ['opposed', 'cancelled'];

/**
 * The rules a voucher's cards must meet, the same at entry, at validation and, on the locked
 * cards, at execution: a transfer between member cards of one network (a full transfer of one
 * client, from an opposed card), from a card that may spend (a full transfer: from an opposed
 * one) to one that may receive; a recharge's lines to cards that may receive.
 */
function checkVoucherCards(order: VoucherCards, cards: ReadonlyMap<string, LockedCard>, networks: ReadonlyMap<string, string>): void {
  if (order.type === 'transfer' || order.type === 'full-transfer') {
    const from = order.from_card_id as string;
    const to = order.lines[0].cardId as string;
    const [source, target] = [cards.get(from), cards.get(to)];
    if (!source?.client_id || !target?.client_id) throw new AppError('CARD_KIND_NOT_ALLOWED', 'Transfers move value between member cards only');
    const full = order.type === 'full-transfer';
    if (full ? source.client_id !== target.client_id : networks.get(from) !== networks.get(to)) {
      throw new AppError(
        'TRANSFER_NOT_ALLOWED',
        full ? 'A full transfer stays within one client' : `Cards ${from} and ${to} belong to clients of different networks`,
      );
    }
    if (!full) checkSpendingCard(cards, from);
    else if (!FULL_TRANSFER_SOURCES.includes(source.status)) throw new AppError('FULL_TRANSFER_SOURCE_NOT_OPPOSED', `Card ${from} is not opposed`);
    checkReceivingCard(cards, to);
  } else if (order.type === 'recharge') {
    order.lines.forEach((line, index) => {
      try {
        checkReceivingCard(cards, line.cardId as string);
      } catch (error) {
        throw labelled(`Line ${index + 1}`, error);
      }
    });
  }
}

/** checkVoucherCards on the cards as they stand, unlocked (at entry and validation: execution checks again under the locks). */
async function checkVoucherNow(tx: Queryable, order: VoucherCards): Promise<void> {
  if (order.type === 'eservice-recharge') return;
  const ids = [order.from_card_id, ...order.lines.map((line) => line.cardId)].filter((id): id is string => id !== null);
  const rows = await tx.query<LockedCard & { network_id: string | null }>(
    `SELECT c.id, c.kind, c.status, c.expires_at, ${worldNowOf('c.client_id')} AS world_now, c.client_id, cl.status AS client_status, p.allowed_services, cl.network_id
       FROM cards c LEFT JOIN clients cl ON cl.id = c.client_id LEFT JOIN card_profiles p ON p.id = c.profile_id
      WHERE c.id = ANY($1)`,
    [ids],
  );
  const networks = new Map(rows.filter((row) => row.network_id !== null).map((row) => [row.id, row.network_id as string]));
  checkVoucherCards(order, new Map(rows.map((row) => [row.id, row])), networks);
}

/** The cards, service points and partner named exist. */
async function checkReferences(tx: Queryable, input: OrderCreate): Promise<void> {
  const cardIds = [input.fromCardId, ...input.lines.map((line) => line.cardId)].filter((id): id is string => id !== undefined);
  const found = new Set((await tx.query<{ id: string }>('SELECT id FROM cards WHERE id = ANY($1)', [cardIds])).map((row) => row.id));
  const missingCard = cardIds.find((id) => !found.has(id));
  if (missingCard) throw new AppError('CARD_NOT_FOUND', `No card ${missingCard}`);
  const pointIds = input.lines.map((line) => line.servicePointId).filter((id): id is string => id !== undefined);
  const points = new Set((await tx.query<{ id: string }>('SELECT id FROM service_points WHERE id = ANY($1)', [pointIds])).map((row) => row.id));
  const missingPoint = pointIds.find((id) => !points.has(id));
  if (missingPoint) throw new AppError('SERVICE_POINT_NOT_FOUND', `No service point ${missingPoint}`);
  if (input.sourcePartnerId) {
    await partnerRow(tx, input.sourcePartnerId);
  }
}

async function recordStep(tx: Queryable, actor: Actor, order: OrderRow, step: Step, status: OrderStatus, comment?: string | null): Promise<OrderRow> {
  const [updated] = await tx.query<OrderRow>(
    `WITH step AS (
       INSERT INTO order_steps (order_id, step, actor_kind, actor_id, actor_name, channel, request_id, comment) VALUES ($1, $3, $4, $5, $6, $7, $8, $9)
     )
     UPDATE orders SET status = $2, updated_at = now() WHERE id = $1 RETURNING *`,
    [order.id, status, step, actor.kind, actor.id, actor.name, actor.channel, actor.requestId, comment ?? null],
  );
  await recordEvent(tx, {
    type: 'order.status-changed',
    resourceType: 'order',
    resourceId: order.id,
    data: { orderId: order.id, type: order.type, from: order.status, to: status, step },
  });
  return updated;
}

export async function createOrder(db: Queryable, actor: Actor, input: OrderCreate): Promise<Order> {
  checkShape(input);
  return db.transaction(async (tx) => {
    await checkReferences(tx, input);
    const lines: StoredLine[] = input.lines.map((line) => ({
      cardId: line.cardId ?? null,
      servicePointId: line.servicePointId ?? null,
      amount: line.amount ?? null,
    }));
    await checkVoucherNow(tx, { type: input.type, from_card_id: input.fromCardId ?? null, lines });
    const [row] = await tx.query<OrderRow>(
      `INSERT INTO orders (id, type, status, source_partner_id, from_card_id, lines, reason, comment, author_kind, author_id, author_name)
       VALUES ($1, $2, 'entered', $3, $4, $5::jsonb, $6, $7, $8, $9, $10) RETURNING *`,
      [
        newId('ord'),
        input.type,
        input.sourcePartnerId ?? null,
        input.fromCardId ?? null,
        JSON.stringify(lines),
        input.reason ?? null,
        input.comment ?? null,
        actor.kind,
        actor.id,
        actor.name,
      ],
    );
    await tx.query(
      'INSERT INTO order_steps (order_id, step, actor_kind, actor_id, actor_name, channel, request_id, comment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [row.id, 'entered', actor.kind, actor.id, actor.name, actor.channel, actor.requestId, input.comment ?? null],
    );
    await recordEvent(tx, {
      type: 'order.status-changed',
      resourceType: 'order',
      resourceId: row.id,
      data: { orderId: row.id, type: row.type, from: null, to: 'entered', step: 'entered' },
    });
    return (await toOrders(tx, [row]))[0];
  });
}

const STEP_RULES = {
  validate: { from: ['entered'], to: 'validated', step: 'validated', checker: true },
  reject: { from: ['entered'], to: 'rejected', step: 'rejected', checker: true },
  cancel: { from: ['entered', 'validated'], to: 'cancelled', step: 'cancelled', checker: false },
} as const satisfies Record<string, { from: OrderStatus[]; to: OrderStatus; step: Step; checker: boolean }>;

/**
 * True when the actor counts as the voucher's author: it is the author, or both are partners
 * of one identity (one created the other, transitively, both come from one creator, or one
 * made a live secret of the other: src/domain/partners/lines.ts).
 */
async function actsAsAuthor(tx: Queryable, order: OrderRow, actor: Actor): Promise<boolean> {
  if (order.author_kind === actor.kind && (order.author_id ?? order.author_name) === (actor.id ?? actor.name)) return true;
  return (
    order.author_kind === 'partner' && actor.kind === 'partner' && order.author_id !== null && actor.id !== null && oneIdentity(tx, order.author_id, actor.id)
  );
}

function checkStatus(order: OrderRow, allowed: readonly OrderStatus[], step: string): void {
  if (!allowed.includes(order.status))
    throw new AppError('ORDER_STATUS_FORBIDS', `A voucher that is ${order.status} cannot be ${step} (allowed from: ${allowed.join(', ')})`);
}

/** Validates, rejects or cancels a voucher (in the caller's transaction when `db` is one). */
export async function stepOrder(db: Queryable, actor: Actor, id: string, action: keyof typeof STEP_RULES, comment?: string): Promise<Order> {
  const rule = STEP_RULES[action];
  if (action === 'reject' && !comment?.trim()) throw invalid('/body/comment', 'a rejection says why');
  return db.transaction(async (tx) => {
    const order = await orderRow(tx, id, true);
    checkStatus(order, rule.from, rule.step);
    if (rule.checker && !holdsScope(actor, CHAIN_SCOPE) && (await actsAsAuthor(tx, order, actor))) {
      const who =
        order.author_id === actor.id
          ? `${actor.name} entered voucher ${id}`
          : `${actor.name} is one identity with ${order.author_name}, who entered voucher ${id} (one created the other, one partner created both, or one made the other's secret),`;
      throw new AppError('SAME_ACTOR_FORBIDDEN', `${who} and cannot ${action} it without ${CHAIN_SCOPE}`);
    }
    if (action === 'validate') await checkVoucherNow(tx, order);
    return (await toOrders(tx, [await recordStep(tx, actor, order, rule.step, rule.to, comment)]))[0];
  });
}

/** Runs a line's lookups, its refusal prefixed with the line (the code and figures kept). */
async function onLine<T>(index: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw labelled(`Line ${index + 1}`, error);
  }
}

/** The network of each member card's client. */
async function networksOf(tx: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  const rows = await tx.query<{ id: string; network_id: string }>(
    'SELECT c.id, cl.network_id FROM cards c JOIN clients cl ON cl.id = c.client_id WHERE c.id = ANY($1)',
    [[...ids]],
  );
  return new Map(rows.map((row) => [row.id, row.network_id]));
}

const lineAmount = (line: StoredLine) => Money.fromApi(line.amount as NonNullable<StoredLine['amount']>);

/**
 * A partner's float pays only what the partner could pay itself (gateway/recharges.ts): member
 * cards of clients it has an active contract for (CARD_NOT_CONTRACTED), each line within its
 * per-operation limit. Returns its limits per unit, for the per-card and per-day ones.
 */
async function checkFloatTerms(tx: Queryable, partnerId: string, order: OrderRow, amounts: readonly Money[]): Promise<Map<string, LimitRow>> {
  const contracted = await tx.query<{ id: string }>(
    `SELECT c.id FROM cards c
      WHERE c.id = ANY($1) AND c.kind = 'member'
        AND ${clientInReach('$2', 'c.client_id')}`,
    [[...new Set(order.lines.map((line) => line.cardId))], partnerId],
  );
  const covered = new Set(contracted.map((row) => row.id));
  const limits = new Map((await limitRows(tx, partnerId)).map((row) => [row.unit_code, row]));
  order.lines.forEach((line, index) => {
    if (!covered.has(line.cardId as string)) {
      throw labelled(
        `Line ${index + 1}`,
        new AppError('CARD_NOT_CONTRACTED', `Partner ${partnerId}, whose float pays the voucher, has no active contract for the client of card ${line.cardId}`),
      );
    }
    const perOperation = limits.get(amounts[index].unit)?.per_operation ?? null;
    if (perOperation !== null && amounts[index].minor > BigInt(perOperation))
      throw labelled(`Line ${index + 1}`, limitBreach('perOperation', BigInt(perOperation), 0n, amounts[index]));
  });
  return limits;
}

/**
 * Every line a recharge from the voucher's source, posted together: the source is locked once.
 * From a partner's float, the partner's contracts and limits hold as for its own recharges.
 */
async function executeRecharge(tx: Queryable, actor: Actor, order: OrderRow): Promise<void> {
  const amounts = order.lines.map(lineAmount);
  const partnerId = order.source_partner_id;
  let limits = new Map<string, LimitRow>();
  if (partnerId) {
    // Read, not locked: every recharge the partner pays reads this row, and a shared row lock
    // taken by many transactions at once queues them (PostgreSQL rewrites the row's lockers, a
    // multixact, at each one: the benchmark's hot float ran at 0.6x its spread twin with it).
    // A disable that commits while a recharge is in flight lets that one recharge through.
    const partner = await partnerRow(tx, partnerId);
    if (partner.status !== 'active') throw new AppError('PARTNER_INACTIVE', `Partner ${order.source_partner_id} is disabled; its float pays no recharge`);
    limits = await checkFloatTerms(tx, partnerId, order, amounts);
  }
  const sources = new Map<string, AccountKey>();
  for (const unit of new Set(amounts.map((amount) => amount.unit))) {
    sources.set(unit, order.source_partner_id ? await partnerFloatAccount(tx, order.source_partner_id, unit) : await systemAccount(tx, 'issuer-float', unit));
  }
  const credits = await cardAccounts(
    tx,
    order.lines.map((line, index) => ({
      cardId: line.cardId as string,
      unit: amounts[index].unit,
      path: `/lines/${index}/amount/unit`,
      label: `Line ${index + 1}`,
    })),
  );
  /** What the partner credited each card account today, read once under the card's lock, plus the voucher's earlier lines. */
  const usedToday = new Map<string, bigint>();
  const countForCard = async (partner: string, accountId: string, amount: Money, perCard: bigint) => {
    const used = usedToday.get(accountId) ?? (await rechargedToCardToday(tx, partner, accountId));
    if (used + amount.minor > perCard) throw limitBreach('perCardPerDay', perCard, used, amount);
    usedToday.set(accountId, used + amount.minor);
  };
  await postAll(
    tx,
    actor,
    order.lines.map((line, index) => ({
      type: 'recharge',
      amount: amounts[index],
      debit: sources.get(amounts[index].unit) as AccountKey,
      credit: credits[index],
      fields: { partnerId: order.source_partner_id, reason: order.reason, orderId: order.id },
      authorise: async (cards) => {
        checkReceivingCard(cards, line.cardId as string);
        const perCard = limits.get(amounts[index].unit)?.per_card_per_day ?? null;
        if (partnerId && perCard !== null) await countForCard(partnerId, credits[index].id, amounts[index], BigInt(perCard));
      },
      label: `Line ${index + 1}`,
    })),
  );
  if (partnerId) {
    // The voucher counts in the partner's day, unit by unit, under the float's lock (registered
    // after posting's, so it runs once the float is locked, just before COMMIT).
    for (const unit of sources.keys()) {
      const lines = amounts.filter((amount) => amount.unit === unit);
      const total = lines.reduce((sum, amount) => sum.add(amount));
      tx.beforeCommit(() => countInDay(tx, partnerId, total, limits.get(unit), lines.length));
    }
  }
}

async function executeTransfer(tx: Queryable, actor: Actor, order: OrderRow): Promise<void> {
  const from = order.from_card_id as string;
  const to = order.lines[0].cardId as string;
  const { cards } = await lockLedger(tx, [from, to]);
  const full = order.type === 'full-transfer';
  const networks = await networksOf(tx, [from, to]);
  checkVoucherCards(order, cards, networks);
  const authorise = (locked: ReadonlyMap<string, LockedCard>) => checkVoucherCards(order, locked, networks);
  const postings: Pick<Posting, 'type' | 'amount' | 'debit' | 'credit'>[] = [];
  if (full) {
    // Under the cards' locks their balances cannot change: every posting locks its cards first.
    const accounts = await tx.query<AccountRow>('SELECT * FROM ledger_accounts WHERE card_id = $1 ORDER BY unit_code', [from]);
    const funded = accounts.filter((row) => availableOf(row).compare(Money.zero(row.unit_code)) > 0);
    const targets = await cardAccounts(
      tx,
      funded.map((row) => ({ cardId: to, unit: row.unit_code, path: '/lines/0/cardId' })),
    );
    funded.forEach((account, index) => postings.push({ type: 'full-transfer', amount: availableOf(account), debit: account, credit: targets[index] }));
    if (postings.length === 0) throw new AppError('NOTHING_TO_TRANSFER', `Card ${from} has no balance to move`);
  } else {
    const amount = lineAmount(order.lines[0]);
    const [debit, credit] = await cardAccounts(tx, [
      { cardId: from, unit: amount.unit, path: '/body/amount/unit' },
      { cardId: to, unit: amount.unit, path: '/body/amount/unit' },
    ]);
    postings.push({ type: 'transfer', amount, debit, credit });
  }
  await postAll(
    tx,
    actor,
    postings.map((posting) => ({ ...posting, fields: { reason: order.reason, orderId: order.id }, authorise })),
  );
}

async function executeEServiceRecharge(tx: Queryable, actor: Actor, order: OrderRow): Promise<void> {
  const stations = await tx.query<{ service_point_id: string; id: string }>('SELECT service_point_id, id FROM cards WHERE service_point_id = ANY($1)', [
    order.lines.map((line) => line.servicePointId),
  ]);
  const cardOf = new Map(stations.map((row) => [row.service_point_id, row.id]));
  const postings: Posting[] = [];
  for (const [index, line] of order.lines.entries()) {
    const cardId = cardOf.get(line.servicePointId as string) as string;
    const amount = lineAmount(line);
    postings.push(
      await onLine(index, async () => ({
        type: 'eservice-recharge' as const,
        amount,
        debit: await systemAccount(tx, 'issuer-float', amount.unit),
        credit: await eServiceAccount(tx, cardId, amount.unit),
        fields: { servicePointId: line.servicePointId, reason: order.reason, orderId: order.id },
        authorise: (cards: ReadonlyMap<string, LockedCard>) => checkReceivingCard(cards, cardId),
        label: `Line ${index + 1}`,
      })),
    );
  }
  await postAll(tx, actor, postings);
}

const EXECUTORS: Record<Order['type'], (tx: Queryable, actor: Actor, order: OrderRow) => Promise<void>> = {
  recharge: executeRecharge,
  transfer: executeTransfer,
  'full-transfer': executeTransfer,
  'eservice-recharge': executeEServiceRecharge,
};

/** Executes a validated voucher: every line an operation, all or none, under the request's Idempotency-Key. */
export function executeOrder(
  db: Database,
  actor: Actor,
  request: IdempotentRequest,
  id: string,
  comment?: string,
): Promise<{ data: Order; replayed: boolean }> {
  return idempotent(db, actor, request, (tx) => executeValidatedOrder(tx, actor, id, comment));
}

/**
 * Executes a validated voucher in the caller's transaction (the voucher locked: a second
 * execution waits, then finds it executed): every line an operation, all or none. The caller
 * makes the request once (executeOrder under its Idempotency-Key, or a use case under its own).
 */
export async function executeValidatedOrder(tx: Queryable, actor: Actor, id: string, comment?: string): Promise<Order> {
  const order = await orderRow(tx, id, true);
  checkStatus(order, ['validated'], 'executed');
  await EXECUTORS[order.type](tx, actor, order);
  return (await toOrders(tx, [await recordStep(tx, actor, order, 'executed', 'executed', comment)]))[0];
}
