-- HMAC request signing (AUTH-2): the key that seals API secrets when none is
-- configured, the sealed secrets (deleting a row shreds the secret), and the
-- signatures already accepted (replay store; rows expire and are purged).
CREATE TABLE sealing_keys
(
    name       TEXT    PRIMARY KEY,
    key        BLOB    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_secrets
(
    secret_ref TEXT    PRIMARY KEY,
    client_id  TEXT    NOT NULL,
    sealed     BLOB    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX api_secrets_client ON api_secrets (client_id);

CREATE TABLE request_signatures
(
    signature  TEXT    PRIMARY KEY,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX request_signatures_expiry ON request_signatures (expires_at);

-- Metering (AUTH-5, READ-7): one row per billed call, append-only like the
-- event log; the counters are derived from it and may be rebuilt.
CREATE TABLE usage_events
(
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   TEXT    NOT NULL,
    module      TEXT    NOT NULL,
    period      TEXT    NOT NULL,
    actor_id    TEXT    NOT NULL,
    request_id  TEXT    NOT NULL,
    recorded_at INTEGER NOT NULL
) STRICT;

CREATE INDEX usage_events_tenant_period ON usage_events (tenant_id, period, module);

CREATE TRIGGER usage_events_no_update
    BEFORE UPDATE ON usage_events
BEGIN
    SELECT RAISE(ABORT, 'usage events are append-only: UPDATE is not allowed');
END;

CREATE TRIGGER usage_events_no_delete
    BEFORE DELETE ON usage_events
BEGIN
    SELECT RAISE(ABORT, 'usage events are append-only: DELETE is not allowed');
END;

CREATE TABLE usage_counters
(
    tenant_id TEXT    NOT NULL,
    module    TEXT    NOT NULL,
    period    TEXT    NOT NULL,
    used      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, module, period)
) STRICT;
