-- Read side (READ-1..5). Projections follow the global event log from their
-- own checkpoint; a read-model change and its checkpoint commit together.
-- Times are epoch milliseconds (UTC) so both backends sort them alike.

-- One row per projection: where it is, and which runner holds it (a lease).
CREATE TABLE projection_checkpoints
(
    name            text    PRIMARY KEY,
    last_tx         bigint    NOT NULL DEFAULT 0,
    last_position   bigint    NOT NULL DEFAULT 0,
    events_applied  bigint    NOT NULL DEFAULT 0,
    owner           text,
    lease_until_ms  bigint    NOT NULL DEFAULT 0,
    updated_at_ms   bigint    NOT NULL DEFAULT 0
);

-- Events a projection could not apply after its retries; it moved on.
CREATE TABLE projection_dead_letters
(
    projection      text    NOT NULL,
    global_tx       bigint    NOT NULL,
    global_position bigint    NOT NULL,
    aggregate_id    text    NOT NULL,
    event_type      text    NOT NULL,
    error           text    NOT NULL,
    attempts        bigint    NOT NULL,
    parked_at_ms    bigint    NOT NULL,
    PRIMARY KEY (projection, global_tx, global_position)
);

-- READ-1: a case's consolidated status.
CREATE TABLE case_status
(
    case_id         text    PRIMARY KEY,
    tenant_id       text    NOT NULL,
    subject_id      text    NOT NULL,
    subject_name    text,
    status          text    NOT NULL,
    outcome         text,
    reason          text,
    decided_by_kind text,
    decided_by_id   text,
    entities        text    NOT NULL,  -- JSON array of entity ids
    restart         text,              -- JSON restart context or NULL
    replaced_by     text,
    opened_at_ms    bigint    NOT NULL,
    submitted_at_ms bigint,
    decided_at_ms   bigint,
    updated_at_ms   bigint    NOT NULL,
    version         bigint    NOT NULL,
    -- Summary of check outcomes for the review queue: none | failed | requires_action | all_cleared | pending
    check_outcome   text    NOT NULL
);

CREATE INDEX case_status_queue ON case_status (tenant_id, status, opened_at_ms, case_id);
CREATE INDEX case_status_subject ON case_status (tenant_id, subject_id, opened_at_ms);

CREATE TABLE case_checks
(
    case_id            text   NOT NULL,
    check_kind         text   NOT NULL,
    state              text   NOT NULL,
    attempt            bigint   NOT NULL,
    outcome            text,
    reason             text,
    score              bigint,
    hint               text,
    action_deadline_ms bigint,
    bypassed_by_kind   text,
    bypassed_by_id     text,
    bypass_comment     text,
    position           bigint   NOT NULL,  -- order as requested
    PRIMARY KEY (case_id, check_kind)
);

-- CASE-7: which cases affect which business entities.
CREATE TABLE case_entities
(
    tenant_id  text NOT NULL,
    entity_id  text NOT NULL,
    case_id    text NOT NULL,
    PRIMARY KEY (tenant_id, entity_id, case_id)
);

-- READ-4: the audit trail, one row per event, newest first by position.
CREATE TABLE audit_log
(
    global_tx       bigint NOT NULL,
    global_position bigint NOT NULL,
    tenant_id       text,
    aggregate_type  text NOT NULL,
    aggregate_id    text NOT NULL,
    sequence        bigint NOT NULL,
    event_type      text NOT NULL,
    actor_kind      text,
    actor_id        text,
    recorded_at_ms  bigint NOT NULL,
    correlation_id  text,
    summary         text NOT NULL,
    PRIMARY KEY (global_tx, global_position)
);

CREATE INDEX audit_log_tenant ON audit_log (tenant_id, global_tx DESC, global_position DESC);
CREATE INDEX audit_log_aggregate ON audit_log (aggregate_id, sequence);
