/** How webhooks are delivered: the WEBHOOK_* variables (src/config.ts reads them, README lists them). */
export interface WebhookSettings {
  /** WEBHOOK_ALLOW_LOOPBACK_HTTP: accept plain http:// to a loopback address, and connect to loopback (tests and sandboxes only). */
  allowLoopbackHttp: boolean;
  /** WEBHOOK_TIMEOUT_MS: the longest a delivery attempt (connect, send, first bytes of the answer) may take. */
  timeoutMs: number;
  /** WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT: deliveries to one endpoint at once, over every instance. */
  maxInFlightPerEndpoint: number;
  /** WEBHOOK_RETRY_BASE_MS: the first retry's delay; each next one doubles, up to 1440 times it, with jitter. */
  retryBaseMs: number;
  /** WEBHOOK_MAX_ATTEMPTS: attempts of one delivery before it fails (17 with the default base: about 3 days). */
  maxAttempts: number;
  /** WEBHOOK_CIRCUIT_THRESHOLD: consecutive failures of an endpoint that open its circuit. */
  circuitThreshold: number;
  /** WEBHOOK_CIRCUIT_OPEN_MS: how long an open circuit sends nothing before one delivery tries it (half-open). */
  circuitOpenMs: number;
  /** WEBHOOK_POLL_INTERVAL_MS: how often each instance's dispatcher reads the feed and claims due deliveries. */
  pollIntervalMs: number;
  /** WEBHOOK_LEASE_MARGIN_MS: how long a claimed delivery's lease outlives the attempt's deadline (a dead dispatcher's claims are retried after both). */
  leaseMarginMs: number;
  /** WEBHOOK_LOG_RETENTION_DAYS: how long attempts and finished deliveries are kept (the delivery log, and what a redelivery can find). */
  logRetentionDays: number;
}
