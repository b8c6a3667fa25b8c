/**
 * The server's large static answers (the docs page, 2.8 MB; the contract, 0.3 MB) sent brotli-
 * or gzip-compressed when the client accepts it (RFC 9110 §12.5.3, q-values honoured). Each
 * body is compressed once per process, off the event loop, on the first request that wants it;
 * every later answer is a buffer already made. Every answer says `Vary: Accept-Encoding` and
 * carries a strong ETag of its own representation (express answers 304 on a match).
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { RequestHandler } from 'express';

type Coding = 'br' | 'gzip' | 'identity';
/** Server preference when the client weighs codings equally: smallest first. */
const PREFERENCE: readonly Coding[] = ['br', 'gzip', 'identity'];

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** The q-value of each coding an Accept-Encoding header names (`x-gzip` is gzip); malformed entries are ignored. */
function weights(header: string): Map<string, number> {
  const named = new Map<string, number>();
  for (const entry of header.split(',')) {
    const [token, ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase());
    if (!token) continue;
    let q = 1;
    for (const parameter of parameters) {
      const value = /^q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.exec(parameter);
      if (parameter.startsWith('q')) q = value ? Number(value[1]) : Number.NaN;
    }
    if (Number.isNaN(q)) continue;
    named.set(token === 'x-gzip' ? 'gzip' : token, q);
  }
  return named;
}

/**
 * The coding to answer with. No header: identity (a client that says nothing gets plain bytes).
 * A coding not named takes the weight of `*`, if any. Identity not named is acceptable unless
 * `*;q=0` excludes it, weighed as `*` or else as the least of the named codings (as the
 * `negotiator` package does): a client naming `gzip;q=0.8` alone wants gzip. When every coding
 * is excluded, identity still: the answer exists, better sent than refused.
 */
function chooseCoding(header: string | undefined): Coding {
  if (header === undefined || header.trim() === '') return 'identity';
  const named = weights(header);
  const star = named.get('*');
  const least = Math.min(1, ...named.values());
  const weightOf = (coding: Coding) => named.get(coding) ?? (coding === 'identity' ? (star ?? least) : (star ?? 0));
  let best: Coding = 'identity';
  let bestWeight = 0;
  for (const coding of PREFERENCE) {
    const weight = weightOf(coding);
    if (weight > bestWeight) [best, bestWeight] = [coding, weight];
  }
  return best;
}

interface Representation {
  body: Buffer;
  etag: string;
}

/** A handler sending `body` as `contentType`, compressed as the request's Accept-Encoding allows. */
export function precompressed(body: string, contentType: string): RequestHandler {
  const identity = Buffer.from(body, 'utf8');
  const tag = createHash('sha256').update(identity).digest('base64url').slice(0, 27);
  const plain: Representation = { body: identity, etag: `"${tag}"` };
  let compressed: Promise<Record<'br' | 'gzip', Representation>> | undefined;
  const compress = async () => {
    const [br, gz] = await Promise.all([
      brotli(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
      gzipped(identity, { level: 9 }),
    ]);
    return { br: { body: br, etag: `"${tag}-br"` }, gzip: { body: gz, etag: `"${tag}-gzip"` } };
  };
  return (req, res, next) => {
    const coding = chooseCoding(req.headers['accept-encoding']);
    res.vary('Accept-Encoding');
    res.type(contentType);
    const send = (representation: Representation) => {
      if (coding !== 'identity') res.set('Content-Encoding', coding);
      res.set('ETag', representation.etag).send(representation.body);
    };
    if (coding === 'identity') return send(plain);
    (compressed ??= compress())
      .then((ready) => send(ready[coding]))
      .catch((error: unknown) => {
        compressed = undefined;
        next(error);
      });
  };
}
