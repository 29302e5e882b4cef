-- Active liveness challenges (CHK-1): issued by POST /liveness/challenge,
-- answered once by POST /liveness/analyze. Not history: rows expire.
CREATE TABLE liveness_challenges
(
    challenge_id TEXT    PRIMARY KEY,
    tenant_id    TEXT    NOT NULL,
    steps        TEXT    NOT NULL,
    nonce        TEXT    NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
) STRICT;

CREATE INDEX liveness_challenges_expiry ON liveness_challenges (expires_at);
