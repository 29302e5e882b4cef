-- Durable timers (issue 18 item 5): work to do at a time, scheduled by the
-- timer feed from the event log with its checkpoint (so each is scheduled
-- once), claimed under a lease by any instance when due (so each fires
-- once), and fired through the application, whose aggregates decide
-- whether the work is still wanted. Work state, not history: what a timer
-- did is an event on its case.
CREATE TABLE timers (
    -- Deterministic: `{kind}/{case}/{check}`; a new schedule for the same
    -- thing replaces the pending one.
    timer_id       TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    tenant_id      TEXT NOT NULL,
    case_id        TEXT NOT NULL,
    target         TEXT NOT NULL,
    due_ms         BIGINT NOT NULL,
    -- pending, fired (its command was recorded), obsolete (the aggregate
    -- no longer wanted it) or parked (failed too often).
    state          TEXT NOT NULL DEFAULT 'pending',
    owner          TEXT,
    lease_until_ms BIGINT NOT NULL DEFAULT 0,
    failures       BIGINT NOT NULL DEFAULT 0,
    last_error     TEXT,
    updated_at_ms  BIGINT NOT NULL
);
CREATE INDEX timers_due ON timers (due_ms) WHERE state = 'pending';
