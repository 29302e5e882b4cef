-- The processors' work list (issue 16): one row per case that has checks to
-- run, filled by the pipeline feed from the event log in the same
-- transaction as its checkpoint. A trigger (a submission, a resubmission, a
-- retry) bumps the generation and makes the row pending again; a worker
-- claims it under a lease, runs what the case still needs and marks it done
-- only if no trigger arrived meanwhile. Work state, not history: the
-- history is the case's events.
CREATE TABLE case_jobs (
    case_id        TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    generation     INTEGER NOT NULL DEFAULT 1,
    -- pending, done, or parked (failed too often; the case was told).
    state          TEXT NOT NULL DEFAULT 'pending',
    owner          TEXT,
    lease_until_ms INTEGER NOT NULL DEFAULT 0,
    not_before_ms  INTEGER NOT NULL DEFAULT 0,
    failures       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
);

CREATE INDEX case_jobs_pending ON case_jobs (updated_at_ms) WHERE state = 'pending';
