/**
 * One POST to a webhook endpoint. Connections go through `request-filtering-agent`, which checks
 * the address actually connected to (after DNS resolution, so a name that resolves to a private
 * address at delivery time, DNS rebinding, is refused like a literal one). Redirects are not
 * followed (a 3xx is an answer like any other, and not a success); the whole attempt, from
 * connecting to the first bytes of the answer, has one deadline; only the first bytes of the
 * answer are read.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { TEST_LOOPBACK_ADDRESSES, type AddressPolicy } from './addresses';

/** The most of an answer's body kept in the delivery log. */
const EXCERPT_CHARS = 256;

/** What came back: a status and the first bytes of the body, or why nothing did. */
export interface Answer {
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  responseExcerpt: string | null;
}

export interface TransportOptions {
  timeoutMs: number;
  policy: AddressPolicy;
  /** Replaces DNS resolution (tests: a name that resolves to a loopback address). */
  lookup?: LookupFunction;
}

/** POSTs `body` with `headers` to `url`; never throws. */
export function postWebhook(url: string, headers: Record<string, string>, body: string, options: TransportOptions): Promise<Answer> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const filter = { allowIPAddressList: options.policy.allowLoopbackHttp ? TEST_LOOPBACK_ADDRESSES : [], keepAlive: false };
  return new Promise<Answer>((resolve) => {
    let settled = false;
    const finish = (answer: Omit<Answer, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      request.destroy();
      resolve({ ...answer, latencyMs: latency() });
    };
    const failed = (error: string) => finish({ statusCode: null, error, responseExcerpt: null });
    const secure = url.startsWith('https:');
    const send = secure ? httpsRequest : httpRequest;
    const request = send(url, {
      method: 'POST',
      agent: secure ? new RequestFilteringHttpsAgent(filter) : new RequestFilteringHttpAgent(filter),
      headers: { 'content-type': 'application/json', 'user-agent': 'CYNOD-Webhooks/1', ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: options.lookup,
    });
    const deadline = setTimeout(() => failed(`no answer within ${options.timeoutMs} ms`), options.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) =>
      failed(error.code && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message),
    );
    request.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => finish({ statusCode: response.statusCode ?? null, error: null, responseExcerpt: excerpt(Buffer.concat(chunks)) });
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= EXCERPT_CHARS * 4) done();
      });
      response.on('end', done);
      response.on('error', done);
    });
    request.end(body);
  });
}

/** The first characters of an answer's body, without control characters. */
function excerpt(body: Buffer): string | null {
  const text = body
    .toString('utf8')
    .replace(/\p{Cc}+/gu, ' ')
    .trim();
  return text === '' ? null : text.slice(0, EXCERPT_CHARS);
}
