-- The store's ceiling for the HTTP benchmark: the same event rows, the same
-- transactions (one per command as postgres-es commits them), no HTTP, no
-- aggregate loading. One pgbench transaction = one case = 3 appends:
-- the subject assignment, the case opening and the data submission.
\set n random(1, 1000000000)
BEGIN;
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
VALUES ('SubjectCases', 'bench/P-' || :client_id || '-' || :n, 1, 'CaseAssigned', '1.0',
        '{"CaseAssigned":{"tenant":"bench","subject":"P","case_id":"0192f3a0-0000-7000-8000-000000000001","previous":null}}',
        '{"tenant_id":"bench","actor_kind":"organisation","actor_id":"dev-client","occurred_at":"2026-11-22T10:00:00Z","correlation_id":"0192f3a0-0000-7000-8000-000000000002","causation_id":"0192f3a0-0000-7000-8000-000000000002"}')
ON CONFLICT DO NOTHING;
END;
BEGIN;
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
VALUES ('VerificationCase', 'P-' || :client_id || '-' || :n, 1, 'CaseOpened', '1.1',
        '{"CaseOpened":{"case_id":"0192f3a0-0000-7000-8000-000000000001","tenant":"bench","subject":{"id":"P","display_name":"Bench Person"},"checks":["document","liveness","face_match"],"entities":["company-1"],"restart":null,"opened_at":"2026-11-22T10:00:00Z"}}',
        '{"tenant_id":"bench","actor_kind":"organisation","actor_id":"dev-client","occurred_at":"2026-11-22T10:00:00Z","correlation_id":"0192f3a0-0000-7000-8000-000000000002","causation_id":"0192f3a0-0000-7000-8000-000000000002"}')
ON CONFLICT DO NOTHING;
END;
BEGIN;
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
VALUES ('VerificationCase', 'P-' || :client_id || '-' || :n, 2, 'DataSubmitted', '1.0',
        '{"DataSubmitted":{"submission":{"given_names":"Bench","family_name":"Person","date_of_birth":"1990-01-01","nationality":"AUS","email":"bench@example.com","evidence":[{"kind":"passport","media_id":"0192f3a0-0000-7000-8000-000000000001"}],"declared_income":null,"requested_amount":null},"submitted_at":"2026-11-22T10:00:00Z"}}',
        '{"tenant_id":"bench","actor_kind":"individual","actor_id":"invite","occurred_at":"2026-11-22T10:00:00Z","correlation_id":"0192f3a0-0000-7000-8000-000000000003","causation_id":"0192f3a0-0000-7000-8000-000000000003"}')
ON CONFLICT DO NOTHING;
END;
