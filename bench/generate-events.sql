-- Generates :cases verification cases of 5 events each (CaseOpened,
-- DataSubmitted, CheckStarted, CheckResultRecorded, CaseCompleted|CaseFailed)
-- for the read-side benchmark, in the exact stored shape of real events.
-- psql -v cases=200000 -f bench/generate-events.sql
CREATE TEMP TABLE bench_cases AS
SELECT n,
       md5('case' || n)::uuid::text AS id,
       (ARRAY['AUS','FRA','USA','NGA','JPN','BRA','DEU','IND'])[1 + n % 8] AS country,
       timestamptz '2026-10-01' + (n || ' seconds')::interval AS at
  FROM generate_series(1, :cases) AS n;

INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
SELECT 'VerificationCase', id, 1, 'CaseOpened', '1.1',
       jsonb_build_object('CaseOpened', jsonb_build_object(
         'case_id', id, 'tenant', 'bench',
         'subject', jsonb_build_object('id', 'S-' || n, 'display_name', 'Bench Person ' || n),
         'checks', jsonb_build_array('document', 'liveness'), 'entities', jsonb_build_array('company-' || n % 100),
         'restart', null, 'opened_at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))),
       jsonb_build_object('tenant_id', 'bench', 'actor_kind', 'organisation', 'actor_id', 'bench-client',
         'occurred_at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
         'correlation_id', id, 'causation_id', id)
  FROM bench_cases;

INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
SELECT 'VerificationCase', id, 2, 'DataSubmitted', '1.0',
       jsonb_build_object('DataSubmitted', jsonb_build_object(
         'submission', jsonb_build_object('given_names', 'Bench', 'family_name', 'Person', 'date_of_birth', '1990-01-01',
           'nationality', country, 'email', 'p' || n || '@example.com',
           'evidence', jsonb_build_array(jsonb_build_object('kind', 'passport', 'media_id', id)),
           'declared_income', jsonb_build_object('amount', (40000 + n % 50000) || '.00', 'currency', 'EUR'),
           'requested_amount', jsonb_build_object('amount', (1000 + n % 9000) || '.50', 'currency', 'EUR')),
         'submitted_at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))),
       jsonb_build_object('tenant_id', 'bench', 'actor_kind', 'individual', 'actor_id', 'invite-' || n,
         'occurred_at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
         'correlation_id', id, 'causation_id', id)
  FROM bench_cases;

INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
SELECT 'VerificationCase', id, 3, 'CheckStarted', '1.0',
       jsonb_build_object('CheckStarted', jsonb_build_object('check', 'document', 'attempt', 1)),
       jsonb_build_object('tenant_id', 'bench', 'actor_kind', 'system', 'actor_id', 'system',
         'occurred_at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
         'correlation_id', id, 'causation_id', id)
  FROM bench_cases;

INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
SELECT 'VerificationCase', id, 4, 'CheckResultRecorded', '1.0',
       jsonb_build_object('CheckResultRecorded', jsonb_build_object('check', 'document',
         'result', CASE WHEN n % 4 = 0
                   THEN jsonb_build_object('outcome', 'failed', 'reason', 'expired document', 'score', 20)
                   ELSE jsonb_build_object('outcome', 'verified', 'score', 95) END)),
       jsonb_build_object('tenant_id', 'bench', 'actor_kind', 'system', 'actor_id', 'system',
         'occurred_at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
         'correlation_id', id, 'causation_id', id)
  FROM bench_cases;

-- Half the cases are decided (pass or fail); the rest stay in the review queue.
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
SELECT 'VerificationCase', id, 5,
       CASE WHEN n % 4 = 0 THEN 'CaseFailed' ELSE 'CheckBypassed' END, '1.0',
       CASE WHEN n % 4 = 0
         THEN jsonb_build_object('CaseFailed', jsonb_build_object(
                'by', jsonb_build_object('kind', 'officer', 'id', 'vo-1'), 'reason', 'expired document'))
         ELSE jsonb_build_object('CheckBypassed', jsonb_build_object('check', 'liveness',
                'by', jsonb_build_object('kind', 'officer', 'id', 'vo-1'), 'comment', 'seen in person'))
       END,
       jsonb_build_object('tenant_id', 'bench', 'actor_kind', 'officer', 'actor_id', 'vo-1',
         'occurred_at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
         'correlation_id', id, 'causation_id', id)
  FROM bench_cases;
