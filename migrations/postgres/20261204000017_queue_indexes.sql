-- Every documented review-queue filter reads its page in order from an
-- index (issue 17): the whole queue of a tenant (no status, or a check
-- outcome or age alone), an operator's queue of every tenant, and a
-- subject's cases in the queue's order (case id breaks ties).
CREATE INDEX case_status_opened ON case_status (tenant_id, opened_at_ms, case_id);
CREATE INDEX case_status_all_tenants ON case_status (opened_at_ms, case_id);
DROP INDEX case_status_subject;
CREATE INDEX case_status_subject ON case_status (tenant_id, subject_id, opened_at_ms, case_id);
