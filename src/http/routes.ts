/**
 * Registers handlers from the generated operation table. A handler for an operationId the
 * contract does not define, or an operation left without a handler, refuses to start.
 */
import type { Express, Request, RequestHandler } from 'express';
import { operationTable, type EnvelopeOperationId, type Handlers, type RawOperationId } from '../../generated/operations';
import { sendSuccess } from './envelope';

export type RawRoutes = Record<RawOperationId, RequestHandler>;

export function checkHandlerKeys(...maps: object[]): void {
  const provided = maps.flatMap((map) => Object.keys(map));
  const unknown = provided.filter((id) => !(id in operationTable));
  if (unknown.length > 0) throw new Error(`handlers for operationIds the contract does not define: ${unknown.join(', ')}`);
  const missing = Object.keys(operationTable).filter((id) => !provided.includes(id));
  if (missing.length > 0) throw new Error(`operations without a handler: ${missing.join(', ')}`);
}

const operationsWhere = (envelope: boolean) =>
  Object.values(operationTable).filter((operation) => operation.envelope === envelope);

/**
 * Mounts the operations with their own answer format. The /oauth endpoints run before the
 * validator (`beforeValidator`): they answer RFC 6749 errors and must ignore unrecognised
 * parameters (RFC 6749 §3.2). The others run after it, like every operation.
 */
export function mountRawRoutes(app: Express, routes: RawRoutes, beforeValidator: boolean): void {
  for (const operation of operationsWhere(false)) {
    if (operation.path.startsWith('/oauth/') !== beforeValidator) continue;
    app[operation.method](operation.expressPath, routes[operation.operationId as RawOperationId]);
  }
}

/** Mounts the envelope operations: the handler returns `data`, one adapter sends the envelope. */
export function mountEnvelopeRoutes<Context>(app: Express, handlers: Handlers<Context>, contextOf: (req: Request) => Context): void {
  for (const operation of operationsWhere(true)) {
    const handler = handlers[operation.operationId as EnvelopeOperationId] as unknown as (
      context: Context,
      input: { path: unknown; query: unknown; body: unknown },
    ) => Promise<unknown>;
    app[operation.method](operation.expressPath, async (req, res, next) => {
      try {
        const data = await handler(contextOf(req), { path: req.params, query: req.query, body: req.body });
        sendSuccess(req, res, data);
      } catch (error) {
        next(error);
      }
    });
  }
}

