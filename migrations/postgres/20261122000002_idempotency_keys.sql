-- Idempotency-Key bookkeeping (CASE-10). Not history: rows expire and are purged.
CREATE TABLE idempotency_keys
(
    tenant_id        text    NOT NULL,
    actor_id         text    NOT NULL,
    idempotency_key  text    NOT NULL,
    request_hash     text    NOT NULL,
    status_code      integer,
    response_headers text,
    response_body    bytea,
    created_at       bigint  NOT NULL,
    expires_at       bigint  NOT NULL,
    PRIMARY KEY (tenant_id, actor_id, idempotency_key)
);

CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
