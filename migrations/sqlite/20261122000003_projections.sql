-- Read side (READ-1..5). Projections follow the global event log from their
-- own checkpoint; a read-model change and its checkpoint commit together.
-- Times are epoch milliseconds (UTC) so both backends sort them alike.

-- One row per projection: where it is, and which runner holds it (a lease).
CREATE TABLE projection_checkpoints
(
    name            TEXT    PRIMARY KEY,
    last_tx         INTEGER    NOT NULL DEFAULT 0,
    last_position   INTEGER    NOT NULL DEFAULT 0,
    events_applied  INTEGER    NOT NULL DEFAULT 0,
    owner           TEXT,
    lease_until_ms  INTEGER    NOT NULL DEFAULT 0,
    updated_at_ms   INTEGER    NOT NULL DEFAULT 0
) STRICT;

-- Events a projection could not apply after its retries; it moved on.
CREATE TABLE projection_dead_letters
(
    projection      TEXT    NOT NULL,
    global_tx       INTEGER    NOT NULL,
    global_position INTEGER    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    error           TEXT    NOT NULL,
    attempts        INTEGER    NOT NULL,
    parked_at_ms    INTEGER    NOT NULL,
    PRIMARY KEY (projection, global_tx, global_position)
) STRICT;

-- READ-1: a case's consolidated status.
CREATE TABLE case_status
(
    case_id         TEXT    PRIMARY KEY,
    tenant_id       TEXT    NOT NULL,
    subject_id      TEXT    NOT NULL,
    subject_name    TEXT,
    status          TEXT    NOT NULL,
    outcome         TEXT,
    reason          TEXT,
    decided_by_kind TEXT,
    decided_by_id   TEXT,
    entities        TEXT    NOT NULL,  -- JSON array of entity ids
    restart         TEXT,              -- JSON restart context or NULL
    replaced_by     TEXT,
    opened_at_ms    INTEGER    NOT NULL,
    submitted_at_ms INTEGER,
    decided_at_ms   INTEGER,
    updated_at_ms   INTEGER    NOT NULL,
    version         INTEGER    NOT NULL,
    -- Summary of check outcomes for the review queue: none | failed | requires_action | all_cleared | pending
    check_outcome   TEXT    NOT NULL
) STRICT;

CREATE INDEX case_status_queue ON case_status (tenant_id, status, opened_at_ms, case_id);
CREATE INDEX case_status_subject ON case_status (tenant_id, subject_id, opened_at_ms);

CREATE TABLE case_checks
(
    case_id            TEXT   NOT NULL,
    check_kind         TEXT   NOT NULL,
    state              TEXT   NOT NULL,
    attempt            INTEGER   NOT NULL,
    outcome            TEXT,
    reason             TEXT,
    score              INTEGER,
    hint               TEXT,
    action_deadline_ms INTEGER,
    bypassed_by_kind   TEXT,
    bypassed_by_id     TEXT,
    bypass_comment     TEXT,
    position           INTEGER   NOT NULL,  -- order as requested
    PRIMARY KEY (case_id, check_kind)
) STRICT;

-- CASE-7: which cases affect which business entities.
CREATE TABLE case_entities
(
    tenant_id  TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    case_id    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, entity_id, case_id)
) STRICT;

-- READ-4: the audit trail, one row per event, newest first by position.
CREATE TABLE audit_log
(
    global_tx       INTEGER NOT NULL,
    global_position INTEGER NOT NULL,
    tenant_id       TEXT,
    aggregate_type  TEXT NOT NULL,
    aggregate_id    TEXT NOT NULL,
    sequence        INTEGER NOT NULL,
    event_type      TEXT NOT NULL,
    actor_kind      TEXT,
    actor_id        TEXT,
    recorded_at_ms  INTEGER NOT NULL,
    correlation_id  TEXT,
    summary         TEXT NOT NULL,
    PRIMARY KEY (global_tx, global_position)
) STRICT;

CREATE INDEX audit_log_tenant ON audit_log (tenant_id, global_tx DESC, global_position DESC);
CREATE INDEX audit_log_aggregate ON audit_log (aggregate_id, sequence);
