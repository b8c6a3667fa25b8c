/**
 * Starts the HTTP or HTTPS server on a database, with an optional internal listener; used by
 * main.ts, the bench and the contract tests.
 */
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createApp, type AppParts } from './app';
import { publicListener } from './http/listeners';
import { createMetrics } from './metrics/metrics';
import { claimDeploymentMode } from './domain/deployment';

/** An interface and a TCP port (0 picks a free one). */
interface ListenAddress {
  host: string;
  port: number;
}

export interface ServerOptions {
  /** PEM certificate chain and key: the server speaks HTTPS (TLS 1.2 and later) only, on every listener, and asks clients for a certificate (mutual TLS, optional). */
  tls?: { cert: Buffer; key: Buffer };
  /** Largest request head in bytes (node's default 16384); larger ones are answered 431. */
  maxHeaderSize?: number;
  /** A second listener, the only one serving the Core API and /metrics (src/http/listeners.ts). */
  internal?: ListenAddress;
  /**
   * Parts of the app that need the listeners' addresses (the embedded OpenID provider's issuer
   * names its URL): made once the listeners listen, before they serve any request.
   */
  withAddresses?: (urls: { url: string; internalUrl: string | undefined }) => Partial<Pick<AppParts, 'embeddedOidc'>>;
}

export interface RunningServer {
  /** Base URL of the public listener, e.g. http://127.0.0.1:8080 or https://127.0.0.1:8443 */
  url: string;
  /** Base URL of the internal listener, when there is one. */
  internalUrl: string | undefined;
  /** Stops accepting connections on every listener and waits for open requests to finish. */
  close(): Promise<void>;
  /** Cuts every connection still open (what a shutdown does when its grace period is over). */
  closeAllConnections(): void;
}

type Listener = HttpServer | HttpsServer;

function createListener(handler: RequestListener, options: ServerOptions): Listener {
  const server = options.tls
    ? createHttpsServer(
        {
          cert: options.tls.cert,
          key: options.tls.key,
          minVersion: 'TLSv1.2',
          handshakeTimeout: 10_000,
          maxHeaderSize: options.maxHeaderSize,
          // Mutual TLS (RFC 8705): ask every client for a certificate, accept any or none; a
          // partner required to present one is checked by thumbprint (src/auth/client-certificates.ts).
          requestCert: true,
          rejectUnauthorized: false,
        },
        handler,
      )
    : createHttpServer({ maxHeaderSize: options.maxHeaderSize }, handler);
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

/** Listens; resolves with the base URL. */
async function listen(server: Listener, { host, port }: ListenAddress, secure: boolean): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${secure ? 'https' : 'http'}://${shownHost}:${address.port}`;
}

const closeListener = (server: Listener) =>
  new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });

/** Starts the server; without `parts.metrics` it makes its own, closed with it. */
export async function startServer(
  parts: Omit<AppParts, 'metrics'> & Partial<Pick<AppParts, 'metrics'>>,
  host: string,
  port: number,
  options: ServerOptions = {},
): Promise<RunningServer> {
  // A server never serves the other environment's database (docs/sandbox.md).
  await claimDeploymentMode(parts.db, parts.config.mode);
  const metrics = parts.metrics ?? createMetrics(parts.db);
  // Without withAddresses the app exists before the listeners; with it, a request arriving
  // before the app is made (between listen and withAddresses) is answered 503.
  let app: RequestListener | undefined = options.withAddresses ? undefined : createApp({ ...parts, metrics });
  const serve: RequestListener =
    app ??
    ((req, res) => {
      if (app) return app(req, res);
      res.writeHead(503, { 'Retry-After': '1', 'Content-Length': '0' }).end();
    });
  const secure = Boolean(options.tls);
  const listeners: Listener[] = [createListener(options.internal ? publicListener(serve) : serve, options)];
  if (options.internal) listeners.push(createListener(serve, options));
  const addresses = [{ host, port }, ...(options.internal ? [options.internal] : [])];
  const urls: string[] = [];
  try {
    for (const [index, server] of listeners.entries()) urls.push(await listen(server, addresses[index], secure));
    if (options.withAddresses) app = createApp({ ...parts, metrics, ...options.withAddresses({ url: urls[0], internalUrl: urls[1] }) });
  } catch (error) {
    await Promise.all(listeners.filter((server) => server.listening).map(closeListener));
    if (!parts.metrics) metrics.close();
    throw error;
  }
  return {
    url: urls[0],
    internalUrl: urls[1],
    close: async () => {
      try {
        await Promise.all(listeners.map(closeListener));
      } finally {
        if (!parts.metrics) metrics.close();
      }
    },
    closeAllConnections: () => listeners.forEach((server) => server.closeAllConnections()),
  };
}
