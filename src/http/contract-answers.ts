/**
 * The contract as this server serves it at /openapi.json and /openapi.yaml: the published
 * bundle (generated/, read by app.ts) with its one server replaced by the address partners
 * reach this server at (config.ts publicBaseUrl), so that a Postman or Insomnia import calls
 * this server, not the demo's 127.0.0.1:8080; "/" (relative to where it was fetched) when the
 * server has no address to name.
 */
import type { RequestHandler } from 'express';
import { precompressed } from './precompressed';

/** The published contract's one server (spec/openapi.yaml), which the served contract replaces. */
const PUBLISHED_SERVERS_YAML = 'servers:\n  - url: http://127.0.0.1:8080\n    description: Local demo server started by `npm start`\n';

/** The texts of the published contract (`json`, `yaml`) as served by a server reached at `baseUrl` (undefined: "/"). */
export function servedContract(published: { json: string; yaml: string }, baseUrl: string | undefined): { json: string; yaml: string } {
  if (!published.yaml.includes(PUBLISHED_SERVERS_YAML)) throw new Error('generated/openapi.yaml no longer names its one server as contract-answers.ts expects');
  const url = baseUrl ?? '/';
  const description = baseUrl ? 'This server' : 'The server this contract is served from';
  return {
    json: JSON.stringify({ ...(JSON.parse(published.json) as object), servers: [{ url, description }] }, null, 2),
    yaml: published.yaml.replace(PUBLISHED_SERVERS_YAML, `servers:\n  - url: ${JSON.stringify(url)}\n    description: ${description}\n`),
  };
}

const answers = new Map<string, { json: RequestHandler; yaml: RequestHandler }>();

/** The contract's answers for a server reached at `baseUrl`, compressed once per process and address when first asked for (shared by every app). */
export function contractAnswersFor(published: { json: string; yaml: string }, baseUrl: string | undefined): { json: RequestHandler; yaml: RequestHandler } {
  const key = baseUrl ?? '/';
  let found = answers.get(key);
  if (!found) {
    const served = servedContract(published, baseUrl);
    found = { json: precompressed(served.json, 'application/json'), yaml: precompressed(served.yaml, 'application/yaml') };
    answers.set(key, found);
  }
  return found;
}
