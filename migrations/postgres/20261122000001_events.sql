-- The append-only event log (AUD-1), in the shape postgres-es 0.5 reads and
-- writes (aggregate_type, aggregate_id, sequence, event_type, event_version,
-- payload, metadata) plus what a catch-up reader, the audit trail and tenancy
-- need. See docs/adr/0002-global-order.md.
CREATE TABLE events
(
    aggregate_type  text        NOT NULL,
    aggregate_id    text        NOT NULL,
    sequence        bigint      NOT NULL CHECK (sequence >= 1),
    event_type      text        NOT NULL,
    event_version   text        NOT NULL,
    payload         jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    -- Unique, increasing within a transaction; gaps are normal.
    global_position bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    -- The writing transaction. Readers only read below the oldest running
    -- transaction, so an event committed late is never skipped.
    transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    tenant_id       text GENERATED ALWAYS AS (metadata ->> 'tenant_id') STORED,
    -- A second writer of the same sequence fails here: optimistic concurrency.
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

CREATE INDEX events_global_order ON events (transaction_id, global_position);
CREATE INDEX events_tenant_recorded ON events (tenant_id, recorded_at);

-- Append-only, enforced by the database for every role, the owner included.
CREATE FUNCTION events_are_append_only() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

-- Wake catch-up readers (projections, processors, relays) on every commit.
CREATE FUNCTION events_notify() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('veritrail_events', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER events_notify_on_insert
    AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_notify();

-- Snapshots are a cache, not history: they may be replaced.
CREATE TABLE snapshots
(
    aggregate_type   text   NOT NULL,
    aggregate_id     text   NOT NULL,
    last_sequence    bigint NOT NULL CHECK (last_sequence >= 0),
    current_snapshot bigint NOT NULL CHECK (current_snapshot >= 0),
    payload          jsonb  NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, last_sequence)
);
