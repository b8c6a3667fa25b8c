/** Requests of an operation: built from its parameters and body schema, sent over real HTTP. */
import fc from 'fast-check';
import { resolve, type Json, type Operation } from '../support/contract';
import { schemaArbitrary } from './schema-arbitrary';

export interface FuzzRequest {
  method: string;
  /** Path parameter values by name. */
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  /** The body as a value, with its media type; `raw` is sent as is (bytes: not even as UTF-8). */
  body?: { mediaType: string; value?: unknown; raw?: string | Uint8Array };
}

export interface Answer {
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  body: unknown;
}

export function parametersOf(target: Operation): Json[] {
  return ((target.operation.parameters ?? []) as Json[]).map(resolve);
}

/** The request body media type the harness speaks (JSON first, then forms), if any. */
export function bodyMediaOf(target: Operation): { mediaType: string; schema: Json; examples: unknown[] } | undefined {
  const content = resolve(target.operation.requestBody ?? {}).content as Json | undefined;
  if (!content) return undefined;
  const mediaType = ['application/json', 'application/x-www-form-urlencoded'].find((type) => content[type]);
  if (!mediaType) throw new Error(`${target.operationId}: no request media type the harness can build`);
  const media = content[mediaType] as Json;
  const examples = Object.values((media.examples ?? {}) as Json).map((example) => resolve(example as Json).value);
  return { mediaType, schema: media.schema, examples };
}

/** Valid requests of the operation. */
export function validRequests(target: Operation): fc.Arbitrary<FuzzRequest> {
  const parameters = parametersOf(target);
  const byLocation = (location: string): fc.Arbitrary<Record<string, unknown>> => {
    const model: Record<string, fc.Arbitrary<unknown>> = Object.fromEntries(
      parameters.filter((p) => p.in === location).map((p) => [p.name, schemaArbitrary(p.schema ?? {})]),
    );
    const requiredKeys: string[] = parameters.filter((p) => p.in === location && p.required).map((p) => p.name);
    return fc.record(model, { requiredKeys });
  };
  const media = bodyMediaOf(target);
  const body = media ? schemaArbitrary(media.schema).map((value) => ({ mediaType: media.mediaType, value })) : fc.constant(undefined);
  return fc.record({
    method: fc.constant(target.method.toUpperCase()),
    path: byLocation('path'),
    query: byLocation('query'),
    headers: byLocation('header').map((values) => Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value)]))),
    body,
  });
}

/** The operation's request examples as requests, to try first. */
export function exampleRequests(target: Operation): FuzzRequest[] {
  const media = bodyMediaOf(target);
  const base = { method: target.method.toUpperCase(), path: {}, query: {}, headers: {} };
  if (!media) return [base];
  return media.examples.map((value) => ({ ...base, body: { mediaType: media.mediaType, value } }));
}

/** The body as the media type encodes it (a form, or JSON). */
export function encodeBody(mediaType: string, value: unknown): string {
  return mediaType === 'application/json' ? JSON.stringify(value) : encodeForm(value);
}

function encodeForm(value: unknown): string {
  const form = new URLSearchParams();
  for (const [name, item] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    for (const one of Array.isArray(item) ? item : [item]) form.append(name, typeof one === 'object' ? JSON.stringify(one) : String(one));
  }
  return form.toString();
}

function urlOf(baseUrl: string, target: Operation, request: FuzzRequest): string {
  const path = target.path.replace(/\{([^}]+)\}/g, (_match, name: string) => encodeURIComponent(String(request.path[name] ?? name)));
  const query = encodeForm(request.query);
  return `${baseUrl}${path}${query ? `?${query}` : ''}`;
}

export async function send(baseUrl: string, target: Operation, request: FuzzRequest, extraHeaders: Record<string, string> = {}): Promise<Answer> {
  // The request's own headers last: a mutation may replace the credential (a Basic header with bad characters).
  const headers: Record<string, string> = { ...extraHeaders, ...request.headers };
  let payload: string | Uint8Array<ArrayBuffer> | undefined;
  if (request.body) {
    headers['content-type'] = request.body.mediaType;
    const { raw } = request.body;
    payload = raw === undefined ? encodeBody(request.body.mediaType, request.body.value) : typeof raw === 'string' ? raw : new Uint8Array(raw);
  }
  const response = await fetch(urlOf(baseUrl, target, request), { method: request.method, headers, body: payload });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, contentType: response.headers.get('content-type') ?? '', text, body };
}

/** A replayable description of a request, printed when a property fails. */
export function describeRequest(baseUrl: string, target: Operation, request: FuzzRequest): string {
  const raw = request.body?.raw;
  const body = request.body
    ? raw === undefined
      ? JSON.stringify(request.body.value)
      : typeof raw === 'string'
        ? raw
        : `bytes(${Buffer.from(raw).toString('hex')})`
    : '';
  const shown = body.length > 300 ? `${body.slice(0, 300)}... (${body.length} chars)` : body;
  return `${request.method} ${urlOf(baseUrl, target, request).slice(0, 400)} headers=${JSON.stringify(request.headers)}${request.body ? ` ${request.body.mediaType} ${shown}` : ''}`;
}
