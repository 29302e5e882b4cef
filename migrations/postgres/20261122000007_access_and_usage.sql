-- HMAC request signing (AUTH-2): the key that seals API secrets when none is
-- configured, the sealed secrets (deleting a row shreds the secret), and the
-- signatures already accepted (replay store; rows expire and are purged).
CREATE TABLE sealing_keys
(
    name       text   PRIMARY KEY,
    key        bytea  NOT NULL,
    created_at bigint NOT NULL
);

CREATE TABLE api_secrets
(
    secret_ref text   PRIMARY KEY,
    client_id  text   NOT NULL,
    sealed     bytea  NOT NULL,
    created_at bigint NOT NULL
);

CREATE INDEX api_secrets_client ON api_secrets (client_id);

CREATE TABLE request_signatures
(
    signature  text   PRIMARY KEY,
    expires_at bigint NOT NULL
);

CREATE INDEX request_signatures_expiry ON request_signatures (expires_at);

-- Metering (AUTH-5, READ-7): one row per billed call, append-only like the
-- event log; the counters are derived from it and may be rebuilt.
CREATE TABLE usage_events
(
    id          bigserial PRIMARY KEY,
    tenant_id   text   NOT NULL,
    module      text   NOT NULL,
    period      text   NOT NULL,
    actor_id    text   NOT NULL,
    request_id  text   NOT NULL,
    recorded_at bigint NOT NULL
);

CREATE INDEX usage_events_tenant_period ON usage_events (tenant_id, period, module);

CREATE TRIGGER usage_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON usage_events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

CREATE TRIGGER usage_events_no_truncate
    BEFORE TRUNCATE ON usage_events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

CREATE TABLE usage_counters
(
    tenant_id text   NOT NULL,
    module    text   NOT NULL,
    period    text   NOT NULL,
    used      bigint NOT NULL,
    PRIMARY KEY (tenant_id, module, period)
);
