import express from 'express';
import type { AddressInfo } from 'node:net';
import { requestHeaderNames, responseHeaderNames } from '../../generated/operations';
import { cors, corsHeaderLists } from './cors';

const origin = 'https://app.example.com';

async function preflightAndGet(contract?: Parameters<typeof cors>[1]): Promise<{ allow: string | null; expose: string | null }> {
  const app = express();
  app.use(cors([origin], contract));
  app.get('/thing', (_req, res) => void res.json({}));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/thing`;
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    const answer = await fetch(url, { headers: { origin } });
    return { allow: preflight.headers.get('access-control-allow-headers'), expose: answer.headers.get('access-control-expose-headers') };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('CORS header lists', () => {
  it('when an operation declares a header parameter, then preflights allow it beside the implicit request headers', async () => {
    const lists = await preflightAndGet({ requestHeaders: ['Idempotency-Key'], responseHeaders: [] });
    expect(lists.allow).toBe('Authorization, Content-Type, X-Request-Id, Idempotency-Key');
  });

  it('when the contract declares response headers, then answers expose them, CORS-safelisted ones aside', async () => {
    const lists = await preflightAndGet({ requestHeaders: [], responseHeaders: ['Cache-Control', 'Idempotent-Replayed', 'Retry-After', 'X-Request-Id'] });
    expect(lists.expose).toBe('Idempotent-Replayed, Retry-After, X-Request-Id');
  });

  it('when names differ only in case, then each is listed once', () => {
    expect(corsHeaderLists({ requestHeaders: ['authorization', 'Idempotency-Key'], responseHeaders: ['x-request-id', 'X-Request-Id'] })).toEqual({
      allow: 'authorization, Content-Type, X-Request-Id, Idempotency-Key',
      expose: 'X-Request-Id',
    });
  });

  it('when no lists are passed, then the generated contract supplies them', async () => {
    const lists = await preflightAndGet();
    for (const name of requestHeaderNames) expect(lists.allow?.split(', ')).toContain(name);
    const exposed = lists.expose?.split(', ') ?? [];
    expect(exposed).toEqual(expect.arrayContaining(['X-Request-Id', 'Retry-After', 'WWW-Authenticate', 'Cynod-Auth-Advice']));
    expect(exposed).toEqual(responseHeaderNames.filter((name) => name !== 'Cache-Control'));
  });
});
