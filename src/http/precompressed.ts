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
import Negotiator from 'negotiator';

type Coding = 'br' | 'gzip' | 'identity';
/** Server preference when the client weighs codings equally: smallest first. */
const PREFERENCE: readonly Coding[] = ['br', 'gzip', 'identity'];

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** RFC 9110 §12.4.2: a weight is 0 to 1 with at most three decimals. */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;
/** An entry's `q` parameter and its value (none for a bare `q`). */
const Q_PARAMETER = /;\s*q\s*(?:=\s*([^;]*?))?\s*(?:;|$)/i;

/**
 * The header as negotiator is to read it: `x-gzip` named gzip (RFC 9110 §8.4.1.3), and an entry
 * whose weight is not an RFC 9110 one (q=2, q=abc, a bare q) left out as malformed, as if not
 * sent (negotiator would take q=2 as above 1).
 */
function wellFormed(header: string): string {
  return header
    .split(',')
    .filter((entry) => {
      const q = Q_PARAMETER.exec(entry);
      return !q || QVALUE.test(q[1] ?? '');
    })
    .map((entry) => entry.replace(/^\s*x-gzip\s*(?=;|$)/i, 'gzip'))
    .join(',');
}

/**
 * The coding to answer with, negotiated by negotiator (what express's `req.acceptsEncodings`
 * runs; called here with the server's preference among equal weights, which
 * `acceptsEncodings` does not pass on, as the `compression` middleware does). No header:
 * identity (a client that says nothing gets plain bytes). A coding not named takes the weight of
 * `*`, if any; identity not named is acceptable, weighed as `*` or else as the least of the
 * named codings: a client naming `gzip;q=0.8` alone wants gzip. When every coding is excluded,
 * identity still: the answer exists, better sent than refused.
 */
function chooseCoding(header: string | undefined): Coding {
  if (header === undefined || header.trim() === '') return 'identity';
  const [best] = new Negotiator({ headers: { 'accept-encoding': wellFormed(header) } }).encodings(PREFERENCE, { preferred: PREFERENCE });
  return (best as Coding | undefined) ?? 'identity';
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
