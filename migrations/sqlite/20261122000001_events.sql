-- The embedded event log, in the shape sqlite-es 0.5 reads and writes, plus a
-- global position (AUTOINCREMENT: never reused; SQLite serialises writers so
-- position order is commit order), recorded_at and tenant_id.
CREATE TABLE events
(
    global_position INTEGER PRIMARY KEY AUTOINCREMENT,
    aggregate_type  TEXT    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    sequence        INTEGER NOT NULL CHECK (sequence >= 1),
    event_type      TEXT    NOT NULL,
    event_version   TEXT    NOT NULL,
    payload         TEXT    NOT NULL CHECK (json_valid(payload)),
    metadata        TEXT    NOT NULL CHECK (json_valid(metadata)),
    recorded_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    tenant_id       TEXT GENERATED ALWAYS AS (json_extract(metadata, '$.tenant_id')) STORED,
    -- A second writer of the same sequence fails here: optimistic concurrency.
    CONSTRAINT events_stream_sequence UNIQUE (aggregate_type, aggregate_id, sequence)
) STRICT;

CREATE INDEX events_tenant_recorded ON events (tenant_id, recorded_at);

-- Append-only, enforced by the database (AUD-1).
CREATE TRIGGER events_no_update
    BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
END;

CREATE TRIGGER events_no_delete
    BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed');
END;

-- Snapshots are a cache, not history: they may be replaced.
CREATE TABLE snapshots
(
    aggregate_type   TEXT    NOT NULL,
    aggregate_id     TEXT    NOT NULL,
    last_sequence    INTEGER NOT NULL CHECK (last_sequence >= 0),
    current_snapshot INTEGER NOT NULL CHECK (current_snapshot >= 0),
    payload          TEXT    NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, last_sequence)
) STRICT;
