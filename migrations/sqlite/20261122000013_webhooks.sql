-- Webhooks (issue 18, PLAT-1). The endpoints are events (WebhookEndpoints
-- streams); `webhook_endpoints` is the webhook feed's projection of them,
-- kept in the same transaction as the messages it fans out, so a message
-- goes to exactly the endpoints subscribed at that point of the log.
CREATE TABLE webhook_endpoints (
    endpoint_id TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    url         TEXT NOT NULL,
    -- JSON array of catalogue names; empty = every type.
    event_types TEXT NOT NULL,
    enabled     BIGINT NOT NULL,
    -- JSON array of {secret_id, valid_until_ms (null = current)}.
    secrets     TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id);

-- Sealed signing secrets (AES-256-GCM under the vault's key); deleting a
-- row shreds the secret, the events keep only its id.
CREATE TABLE webhook_secrets (
    secret_id     TEXT PRIMARY KEY,
    endpoint_id   TEXT NOT NULL,
    sealed        BLOB NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX webhook_secrets_endpoint ON webhook_secrets (endpoint_id);

-- The outbox: one row per (event, endpoint), written by the feed with its
-- checkpoint; the body is fixed when the row is written, so every attempt
-- sends the same bytes. Delivery state, not history: the attempts are
-- below, a dead letter is an event.
CREATE TABLE webhook_messages (
    message_id      TEXT PRIMARY KEY,
    endpoint_id     TEXT NOT NULL,
    tenant_id       TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    case_id         TEXT,
    case_version    BIGINT,
    source_position TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at_ms   BIGINT NOT NULL,
    -- pending, delivered or failed (dead-lettered, or its endpoint stopped).
    state           TEXT NOT NULL DEFAULT 'pending',
    -- Attempts in this round (a redelivery starts a new round) and overall.
    round_attempts  BIGINT NOT NULL DEFAULT 0,
    total_attempts  BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    owner           TEXT,
    lease_until_ms  BIGINT NOT NULL DEFAULT 0,
    last_status     BIGINT,
    last_error      TEXT,
    delivered_at_ms BIGINT,
    updated_at_ms   BIGINT NOT NULL
);
CREATE INDEX webhook_messages_due ON webhook_messages (next_attempt_ms) WHERE state = 'pending';
CREATE INDEX webhook_messages_endpoint ON webhook_messages (endpoint_id, created_at_ms);

-- The delivery log: every attempt, its answer and how long it took.
CREATE TABLE webhook_attempts (
    message_id       TEXT NOT NULL,
    attempt          BIGINT NOT NULL,
    endpoint_id      TEXT NOT NULL,
    at_ms            BIGINT NOT NULL,
    status           BIGINT,
    latency_ms       BIGINT NOT NULL,
    error            TEXT,
    response_excerpt TEXT,
    PRIMARY KEY (message_id, attempt)
);

-- Since when every delivery to an endpoint has failed (null: the last
-- one succeeded), for disabling endpoints that stay down.
CREATE TABLE webhook_health (
    endpoint_id      TEXT PRIMARY KEY,
    failing_since_ms BIGINT,
    last_success_ms  BIGINT
);
