/**
 * Registers handlers from the generated operation table. A handler for an operationId the
 * contract does not define, or an operation left without a handler, refuses to start.
 */
import type { Express, Request, RequestHandler, Response } from 'express';
import { operationTable, type EnvelopeOperationId, type Handlers, type RawOperationId } from '../../generated/operations';
import { AppError } from '../domain/app-error';
import { operationIdOf, pathParamsOf } from '../request/request';
import { MAX_PAGE_SIZE } from '../domain/pagination';
import { exportFileName, streamCsv, type CsvExport } from './csv';
import { sendSuccess } from './envelope';
import { streamXlsx, XLSX_MEDIA_TYPE, type UnitScales } from './xlsx';

export type RawRoutes = Record<RawOperationId, RequestHandler>;

export function checkHandlerKeys(...maps: object[]): void {
  const provided = maps.flatMap((map) => Object.keys(map));
  const unknown = provided.filter((id) => !(id in operationTable));
  if (unknown.length > 0) throw new Error(`handlers for operationIds the contract does not define: ${unknown.join(', ')}`);
  const missing = Object.keys(operationTable).filter((id) => !provided.includes(id));
  if (missing.length > 0) throw new Error(`operations without a handler: ${missing.join(', ')}`);
}

const operationsWhere = (envelope: boolean) => Object.values(operationTable).filter((operation) => operation.envelope === envelope);

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

/**
 * Announces the deprecation on every answer of the operations the contract deprecates, the
 * validator's refusals included (mounted before it): `Deprecation` (RFC 9745), `Sunset`
 * (RFC 8594) and a `Link` to the operation's section of /docs, from its `x-deprecation`.
 */
export function markDeprecated(app: Express): void {
  for (const { method, expressPath, deprecation } of Object.values(operationTable)) {
    if (!deprecation) continue;
    const headers = { Deprecation: `@${deprecation.since}`, Sunset: deprecation.sunset, Link: `<${deprecation.link}>; rel="deprecation"` };
    app[method](expressPath, (_req, res, next) => {
      res.set(headers);
      next();
    });
  }
}

/** What mounting needs of an operation-table row (a test may plant one). */
export interface MountedOperation {
  operationId: EnvelopeOperationId;
  headers: readonly string[];
  /** The 200 answer is also served as CSV for `Accept: text/csv` (and as XLSX where `xlsx`), as the contract declares it. */
  csv?: CsvExport | null;
}

/** The media types an operation serves, JSON first (the answer to any type). */
const servedTypes = (csv: CsvExport | null | undefined) => ['application/json', ...(csv ? ['text/csv'] : []), ...(csv?.xlsx ? [XLSX_MEDIA_TYPE] : [])];

/** The media type to answer in, of those the operation serves, by the request's `Accept`; 406 when it names none of them. */
function answerType(req: Request, served: string[]): string {
  const type = req.accepts(served);
  if (type === false) throw new AppError('NOT_ACCEPTABLE', `Accept names none of the media types this operation serves (${served.join(', ')})`);
  return type;
}

/**
 * The operation's declared header parameters, keys as declared (e.g. `Idempotency-Key`), read
 * case-insensitively from the request (Node lower-cases header names); undeclared headers never
 * reach the handler. The validator has already checked them against the contract.
 */
export function declaredHeaders(req: Request, names: readonly string[]): Record<string, string> {
  const header: Record<string, string> = {};
  for (const name of names) {
    const value = req.headers[name.toLowerCase()];
    if (value !== undefined) header[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return header;
}

/** What the adapter does with the amounts a request sends and an answer gives: their units' scales (domain/referential/unit-scales.ts). */
interface AmountScales {
  /** The request body without its amounts' `scale` and `decimal`, refused where they disagree with the unit. */
  accept: (body: unknown) => Promise<unknown>;
  /** The answer's data with the scales beside its units. */
  present: <T>(data: T) => Promise<T>;
  /** A refusal with the scales beside its figures' units. */
  presentRefusal: (error: AppError) => Promise<AppError>;
  /** Every unit's scale, read afresh (a workbook's amounts are written at their unit's scale). */
  scales: UnitScales;
}

/**
 * Mounts the envelope operations: the handler returns `data`, one adapter sends the envelope,
 * or the export the contract declares (`amounts` gives a workbook's amounts their scale).
 * `operations` defaults to the contract's; tests pass a planted row. One middleware, after the
 * validator, runs the handler of the operation the validator matched (its operationId and path
 * parameters): a request does not walk a route per operation, so its cost does not grow with
 * the contract.
 */
export function mountEnvelopeRoutes<Context>(
  app: Express,
  handlers: Handlers<Context>,
  contextOf: (req: Request, res: Response) => Context,
  amounts: AmountScales,
  operations: readonly MountedOperation[] = operationsWhere(true) as MountedOperation[],
): void {
  const routes = new Map<string, RequestHandler>();
  for (const operation of operations) {
    const handler = handlers[operation.operationId as EnvelopeOperationId] as unknown as (
      context: Context,
      input: { path: unknown; query: unknown; header: unknown; body: unknown },
    ) => Promise<unknown>;
    const { csv } = operation;
    const served = servedTypes(csv);
    routes.set(operation.operationId, async (req, res, next) => {
      try {
        if (csv) res.vary('Accept');
        const type = answerType(req, served);
        const context = contextOf(req, res);
        const body = await amounts.accept(req.body);
        const input = { path: pathParamsOf(req), query: req.query, header: declaredHeaders(req, operation.headers), body };
        if (!csv || type === 'application/json') return sendSuccess(req, res, await amounts.present(await handler(context, input)));
        // The whole selection, in the largest pages the contract allows, each row as the JSON answer
        // gives it (an amount's unit with its scale beside it: a column may name it).
        const pageOf = async (cursor?: string) => amounts.present(await handler(context, { ...input, query: { ...req.query, limit: MAX_PAGE_SIZE, cursor } }));
        const parameters = { ...req.query, ...input.path };
        const first = await pageOf(req.query.cursor as string | undefined);
        if (type === 'text/csv') return await streamCsv(res, csv, exportFileName(csv.fileName, parameters, new Date(), 'csv'), first, pageOf);
        await streamXlsx(res, csv, exportFileName(csv.fileName, parameters, new Date(), 'xlsx'), first, pageOf, amounts.scales);
      } catch (error) {
        if (!res.headersSent) return next(error instanceof AppError && error.status < 500 ? await amounts.presentRefusal(error).catch(() => error) : error);
        // The export was cut after its first bytes: the client sees a broken transfer, never a short file.
        req.log.error({ err: error }, 'export cut by an error');
        res.destroy();
      }
    });
  }
  app.use((req, res, next) => {
    const operationId = operationIdOf(req);
    const route = operationId === undefined ? undefined : routes.get(operationId);
    if (!route) return next();
    return route(req, res, next);
  });
}
