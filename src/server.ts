/** Starts the HTTP or HTTPS server on a database; used by main.ts and by the contract tests. */
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createApp, type AppParts } from './app';

export interface ServerOptions {
  /** PEM certificate chain and key: the server speaks HTTPS (TLS 1.2 and later) only. */
  tls?: { cert: Buffer; key: Buffer };
  /** Largest request head in bytes (node's default 16384); larger ones are answered 431. */
  maxHeaderSize?: number;
}

export interface RunningServer {
  server: HttpServer | HttpsServer;
  /** Base URL, e.g. http://127.0.0.1:8080 or https://127.0.0.1:8443 */
  url: string;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

export async function startServer(parts: AppParts, host: string, port: number, options: ServerOptions = {}): Promise<RunningServer> {
  const app = createApp(parts);
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2', handshakeTimeout: 10_000, maxHeaderSize: options.maxHeaderSize }, app)
    : createHttpServer({ maxHeaderSize: options.maxHeaderSize }, app);
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
