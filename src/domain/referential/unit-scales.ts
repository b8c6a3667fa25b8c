/**
 * Units' scales beside the amounts: every object of an answer that names a `unit` gets that
 * unit's `scale`, and an amount (`value` with its `unit`) the `decimal` string it makes, so a
 * partner reads `{"value": 13000, "unit": "L-GASOIL", "scale": 2, "decimal": "130.00"}` without
 * asking for the unit. Done once, where answers leave (the envelope, a refusal's figures, a
 * webhook), so that stored shapes (events, declines, idempotent replays) read the same as live ones.
 *
 * The scales are cached per database: units are few, only ever created (never changed or
 * deleted: a unit's scale is fixed), so a cached scale never goes stale; the units are read
 * again only when an answer names a code not read yet (a unit created since, by this instance
 * or another). No statement per amount, none per answer once the units are read.
 */
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';

type Scales = ReadonlyMap<string, number>;

const cache = new WeakMap<Queryable, Promise<Scales>>();

/** Every unit's scale, read afresh (and cached for the answers that follow). */
export function readUnitScales(db: Queryable): Promise<Scales> {
  const reading = db
    .query<{ code: string; scale: number }>('SELECT code, scale FROM units', [], { prepare: true })
    .then((rows) => new Map(rows.map((row) => [row.code, Number(row.scale)])));
  cache.set(db, reading);
  reading.catch(() => {
    if (cache.get(db) === reading) cache.delete(db);
  });
  return reading;
}

/** The scales of the units named, read again once when one of them is not cached. A code no unit has stays absent. */
async function scalesOf(db: Queryable, codes: ReadonlySet<string>): Promise<Scales> {
  if (codes.size === 0) return new Map();
  const scales = await (cache.get(db) ?? readUnitScales(db));
  for (const code of codes) if (!scales.has(code)) return readUnitScales(db);
  return scales;
}

/** A value as JSON.stringify sees it (a Money or a Date through its toJSON). */
function plain(node: unknown): unknown {
  if (node !== null && typeof node === 'object' && typeof (node as { toJSON?: unknown }).toJSON === 'function') {
    return (node as { toJSON: () => unknown }).toJSON();
  }
  return node;
}

/** Walks JSON-like data, calling `visit` on every object with its JSON pointer. */
function walk(node: unknown, pointer: string, visit: (object: Record<string, unknown>, pointer: string) => void): void {
  const value = plain(node);
  if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${pointer}/${index}`, visit));
  else if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(object)) walk(item, `${pointer}/${key}`, visit);
    visit(object, pointer);
  }
}

function unitsIn(data: unknown): Set<string> {
  const codes = new Set<string>();
  walk(data, '', (object) => {
    if (typeof object.unit === 'string') codes.add(object.unit);
  });
  return codes;
}

/** `minor` / 10^scale as an exact decimal string with `scale` decimals: 13000 at scale 2 is "130.00", -5 is "-0.05". */
function decimalOf(minor: number, scale: number): string {
  const exact = BigInt(minor);
  const digits = (exact < 0n ? -exact : exact).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return exact < 0n ? `-${text}` : text;
}

/** A copy of `node` with `scale` beside every known `unit`, and `decimal` beside every amount's `value`; what is already there is kept. */
function scaled(node: unknown, scales: Scales): unknown {
  const value = plain(node);
  if (Array.isArray(value)) return value.map((item) => scaled(item, scales));
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = scaled(item, scales);
  const scale = typeof copy.unit === 'string' ? scales.get(copy.unit) : undefined;
  if (scale === undefined) return copy;
  if (copy.scale === undefined) copy.scale = scale;
  if (copy.decimal === undefined && Number.isSafeInteger(copy.value)) copy.decimal = decimalOf(copy.value as number, scale);
  return copy;
}

/** The answer's data with its units' scales (see the file's comment). */
export async function withUnitScales<T>(db: Queryable, data: T): Promise<T> {
  const codes = unitsIn(data);
  if (codes.size === 0) return data;
  return scaled(data, await scalesOf(db, codes)) as T;
}

/** A refusal with its figures' units' scales; the same refusal when it has no figures. */
export async function withScaledDetails(db: Queryable, error: AppError): Promise<AppError> {
  if (!error.details) return error;
  return new AppError(error.codeName, error.debugMessage, {
    status: error.status,
    headers: error.headers,
    oauthError: error.oauthError,
    errors: error.errors,
    details: await withUnitScales(db, error.details),
    cause: error.cause,
  });
}

/**
 * The request body as the use-cases read it: an amount's optional `scale` and `decimal` are
 * checked against its unit, then dropped (what is stored and fingerprinted is `value` and
 * `unit` alone). A `scale` that is not the unit's is refused (4210), a `decimal` that is not
 * `value` at that scale too (4211). A code no unit has is left to the use-case, which refuses
 * it in its own terms.
 */
export async function withoutAmountScales(db: Queryable, body: unknown): Promise<unknown> {
  const given: { object: Record<string, unknown>; pointer: string; unit: string }[] = [];
  walk(body, '/body', (object, pointer) => {
    if (typeof object.unit === 'string' && (object.scale !== undefined || object.decimal !== undefined)) given.push({ object, pointer, unit: object.unit });
  });
  if (given.length === 0) return body;
  const scales = await scalesOf(db, new Set(given.map((amount) => amount.unit)));
  for (const { object, pointer, unit } of given) {
    const scale = scales.get(unit);
    if (scale === undefined) continue;
    if (object.scale !== undefined && object.scale !== scale) {
      const field = `${pointer}/scale`;
      throw new AppError('AMOUNT_SCALE_MISMATCH', `${field} is ${String(object.scale)}, but ${unit} has scale ${scale}`, {
        errors: [{ path: field, message: `must be ${scale}, the scale of ${unit}` }],
        details: { field, unit, scale },
      });
    }
    const expected = Number.isSafeInteger(object.value) ? decimalOf(object.value as number, scale) : undefined;
    if (object.decimal !== undefined && expected !== undefined && object.decimal !== expected) {
      const field = `${pointer}/decimal`;
      throw new AppError(
        'AMOUNT_DECIMAL_MISMATCH',
        `${field} is ${JSON.stringify(object.decimal)}, but ${String(object.value)} ${unit} at scale ${scale} is ${expected}`,
        {
          errors: [{ path: field, message: `must be "${expected}" (value at ${unit}'s scale ${scale})` }],
          details: { field, unit, scale },
        },
      );
    }
  }
  return unscaled(body);
}

/** A copy of `node` without the `scale` and `decimal` beside its units. */
function unscaled(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(unscaled);
  if (node === null || typeof node !== 'object') return node;
  const copy: Record<string, unknown> = {};
  const named = typeof (node as { unit?: unknown }).unit === 'string';
  for (const [key, item] of Object.entries(node)) if (!named || (key !== 'scale' && key !== 'decimal')) copy[key] = unscaled(item);
  return copy;
}
