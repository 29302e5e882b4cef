-- The review queue filtered by entity (issue 17): each link carries its
-- case's opening time (which never changes), so the page is read in order
-- from one index instead of joining and sorting every case of the entity.
ALTER TABLE case_entities ADD COLUMN opened_at_ms INTEGER;
UPDATE case_entities
   SET opened_at_ms = (SELECT c.opened_at_ms FROM case_status c WHERE c.case_id = case_entities.case_id);
CREATE INDEX case_entities_queue ON case_entities (tenant_id, entity_id, opened_at_ms, case_id);
