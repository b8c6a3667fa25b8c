/** The messages between scripts/bench.ts and its server processes (scripts/bench/server.ts). */

/** What the server process runs; passed as JSON in its first argument. */
export interface TargetSpec {
  /**
   * `prepare` migrates the fresh database and creates the benchmark partners, then exits;
   * `ceiling` is the scenarios' SQL work done the best known way (scripts/bench/ceiling.ts).
   */
  kind: 'prepare' | 'node-http' | 'express' | 'api' | 'ceiling';
  /** PostgreSQL connection string (a dedicated schema); absent: the PGlite of `dataDir`. */
  databaseUrl?: string;
  /** Data directory of the embedded PGlite database. */
  dataDir?: string;
  /** The database's card-number keys (base64), one pair for all its server processes: a number hashed by one is found by the next. */
  cardKeys: { hashKey: string; encryptionKey: string };
  /** API only: pino level of the server's logger (its lines go to the process's stdout). */
  logLevel: string;
  /** API only: the VALIDATE_RESPONSES setting. */
  validateResponses: boolean;
  /** API only: run the webhook dispatcher as an instance does, polling every this many milliseconds (loopback receivers allowed). */
  webhookPollMs?: number;
}

export type ChildMessage =
  | { type: 'prepared'; consumerKey: string; consumerSecret: string; core: { consumerKey: string; consumerSecret: string } }
  | { type: 'ready'; url: string }
  | { type: 'cpu'; micros: number }
  | { type: 'stopped'; peakRssBytes: number };

export type ParentMessage = { type: 'stop' } | { type: 'cpu' };
