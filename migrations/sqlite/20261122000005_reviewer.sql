-- The verification officer a case is assigned to (review-queue filter).
ALTER TABLE case_status ADD COLUMN reviewer TEXT;
CREATE INDEX case_status_reviewer ON case_status (tenant_id, reviewer, opened_at_ms, case_id);
