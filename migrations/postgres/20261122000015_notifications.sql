-- Notifications (issue 18 item 4): emails to the individual (invitation,
-- reminder, request to act) and to a tenant's officers (new submission,
-- escalation). The notice feed writes both tables from the event log with
-- its checkpoint, so each notice is queued once; any instance sends a due
-- one under a lease. Work state, not history: what happened to the case is
-- in its events.

-- Whom a case's individual notices go to, and the link they carry: the
-- case's latest usable invitation.
CREATE TABLE notice_contacts (
    case_id               TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL,
    email                 TEXT,
    name                  TEXT,
    invitation_id         TEXT,
    invitation_expires_ms BIGINT
);
CREATE INDEX notice_contacts_invitation ON notice_contacts (invitation_id);

CREATE TABLE notices (
    -- Deterministic: `{kind}/{event id}`.
    notice_id      TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    case_id        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    -- The event's own values (check, hint, deadline, reminder number …),
    -- JSON; names and addresses are looked up when the notice is sent.
    vars           TEXT NOT NULL,
    -- pending, sent, skipped (nobody to send to) or failed (refused or
    -- out of attempts).
    state          TEXT NOT NULL DEFAULT 'pending',
    recipients     TEXT,
    attempts       BIGINT NOT NULL DEFAULT 0,
    due_ms         BIGINT NOT NULL,
    owner          TEXT,
    lease_until_ms BIGINT NOT NULL DEFAULT 0,
    last_error     TEXT,
    created_at_ms  BIGINT NOT NULL,
    updated_at_ms  BIGINT NOT NULL
);
CREATE INDEX notices_due ON notices (due_ms) WHERE state = 'pending';
CREATE INDEX notices_tenant ON notices (tenant_id, created_at_ms);
