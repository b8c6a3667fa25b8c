/** Opaque resource ids: a type prefix and 96 random bits, e.g. `ptn_5f0c...`. */
import { randomBytes } from 'node:crypto';

/** A new opaque id with a type prefix, e.g. `ptn_...`. */
export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
