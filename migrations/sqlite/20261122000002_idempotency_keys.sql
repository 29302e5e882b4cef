-- Idempotency-Key bookkeeping (CASE-10). Not history: rows expire and are purged.
CREATE TABLE idempotency_keys
(
    tenant_id        TEXT    NOT NULL,
    actor_id         TEXT    NOT NULL,
    idempotency_key  TEXT    NOT NULL,
    request_hash     TEXT    NOT NULL,
    status_code      INTEGER,
    response_headers TEXT,
    response_body    BLOB,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, actor_id, idempotency_key)
) STRICT;

CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
