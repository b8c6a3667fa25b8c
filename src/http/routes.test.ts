import express, { type Request } from 'express';
import type { AddressInfo } from 'node:net';
import { checkHandlerKeys, declaredHeaders, mountEnvelopeRoutes } from './routes';
import { handlers } from '../handlers';
import type { HandlerContext } from '../handlers/context';
import type { AppError } from '../domain/app-error';

const raw = {
  createToken: () => undefined,
  getOpenApiJson: () => undefined,
  getOpenApiYaml: () => undefined,
  getDocs: () => undefined,
  revokeToken: () => undefined,
  introspectToken: () => undefined,
  getMetrics: () => undefined,
};

describe('checkHandlerKeys', () => {
  it('when every operation has exactly one handler, then the server may start', () => {
    expect(() => checkHandlerKeys(handlers, raw)).not.toThrow();
  });

  it('when a handler names an operationId the contract does not define, then the server refuses to start', () => {
    expect(() => checkHandlerKeys({ ...handlers, getCardBalance: async () => ({}) }, raw)).toThrow(/getCardBalance/);
  });

  it('when an operation has no handler, then the server refuses to start', () => {
    const { getHealth: _dropped, ...rest } = handlers;
    expect(() => checkHandlerKeys(rest, raw)).toThrow(/getHealth/);
  });
});

describe('mountEnvelopeRoutes', () => {
  // No operation of the contract declares a header parameter yet: a planted row stands in for the first.
  it('when an operation declares header parameters, then the handler gets exactly those, keys as declared, matched case-insensitively', async () => {
    let seen: unknown;
    const planted = (async (_context: unknown, input: unknown) => {
      seen = input;
      return { ok: true };
    }) as unknown as typeof handlers.getHealth;
    const app = express();
    app.use(express.json());
    // What the validator gives a request it matched: the operation, and the path's parameters.
    app.use((req, _res, next) => {
      Object.assign(req, { openapi: { schema: { operationId: 'getHealth' }, pathParams: { thingId: 't1' } } });
      next();
    });
    const asGiven = {
      accept: async (body: unknown) => body,
      present: async <T>(data: T) => data,
      presentRefusal: async (error: AppError) => error,
      scales: async () => new Map<string, number>(),
    };
    mountEnvelopeRoutes(app, { ...handlers, getHealth: planted }, () => null as unknown as HandlerContext, asGiven, [
      { operationId: 'getHealth', headers: ['Idempotency-Key', 'X-Trace', 'X-Absent'] },
    ]);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/planted/t1?limit=2`;
      const reply = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'IDEMPOTENCY-KEY': 'key-1', 'x-trace': 'trace-1', 'x-undeclared': 'no' },
        body: JSON.stringify({ a: 1 }),
      });
      expect(reply.status).toBe(200);
      expect(seen).toEqual({ path: { thingId: 't1' }, query: { limit: '2' }, header: { 'Idempotency-Key': 'key-1', 'X-Trace': 'trace-1' }, body: { a: 1 } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('when an operation declares no header parameter, then its handler gets an empty header object', () => {
    const req = { headers: { authorization: 'Bearer x', 'idempotency-key': 'k' } } as unknown as Request;
    expect(declaredHeaders(req, [])).toEqual({});
    expect(declaredHeaders(req, ['Idempotency-Key'])).toEqual({ 'Idempotency-Key': 'k' });
  });
});
