-- Since when a webhook endpoint is disabled: its status shows it, and when CYNOD disables it
-- (410 Gone, or failing for days) the partner's feed tells it with a webhook-endpoint.disabled
-- event, which concerns no card (events.card_id NULL, events.partner_id the partner). The
-- delivery log is kept WEBHOOK_LOG_RETENTION_DAYS: attempts are purged by their time and
-- finished deliveries by when they finished, a bounded batch at a time.
ALTER TABLE webhook_endpoints ADD COLUMN disabled_at timestamptz;
UPDATE webhook_endpoints SET disabled_at = updated_at WHERE status = 'disabled';
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_disabled_at CHECK ((status = 'disabled') = (disabled_at IS NOT NULL));
CREATE INDEX webhook_attempts_attempted_idx ON webhook_attempts (attempted_at);
CREATE INDEX webhook_deliveries_completed_idx ON webhook_deliveries (completed_at) WHERE status <> 'pending';
