-- Active liveness challenges (CHK-1): issued by POST /liveness/challenge,
-- answered once by POST /liveness/analyze. Not history: rows expire.
CREATE TABLE liveness_challenges
(
    challenge_id text   PRIMARY KEY,
    tenant_id    text   NOT NULL,
    steps        text   NOT NULL,
    nonce        text   NOT NULL,
    expires_at   bigint NOT NULL,
    used_at      bigint
);

CREATE INDEX liveness_challenges_expiry ON liveness_challenges (expires_at);
