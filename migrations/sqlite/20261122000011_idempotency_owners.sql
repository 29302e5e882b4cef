-- Crash recovery of idempotency keys (issue 12): each key in progress names
-- the process running it and that request's id; every process heartbeats in
-- `instances`. A key whose process stopped heartbeating is taken over by the
-- next retry, which continues the interrupted request under its id.
ALTER TABLE idempotency_keys ADD COLUMN owner text;
ALTER TABLE idempotency_keys ADD COLUMN request_id text;

CREATE TABLE instances
(
    process_id   text   PRIMARY KEY,
    instance_id  text   NOT NULL,
    started_at   bigint NOT NULL,
    heartbeat_ms bigint NOT NULL
);

-- A request is billed once per module, even when it is recovered.
CREATE UNIQUE INDEX usage_events_once_per_request ON usage_events (tenant_id, module, request_id);
