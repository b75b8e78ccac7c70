-- Answers: read by the audit's members, except a case's first marks by its blind second marker;
-- given and changed by the lead, or by the auditor the case is allocated to, while the audit is
-- unlocked and the case neither signed off nor removed; never deleted but with their case. Who
-- and when are stamped by the server, which also writes the history and the kept counts.
ALTER TABLE audit_tui.answer ENABLE ROW LEVEL SECURITY;
CREATE POLICY answer_read ON audit_tui.answer FOR SELECT
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false))
         AND case_id NOT IN (SELECT audit_tui.blind_cases()));
CREATE POLICY answer_give ON audit_tui.answer FOR INSERT
  WITH CHECK (EXISTS (
    SELECT 1 FROM audit_tui.audit_case c
    WHERE c.id = answer.case_id AND c.audit_id = answer.audit_id
      AND c.signed_off_at IS NULL AND c.removed_at IS NULL
      AND (c.audit_id IN (SELECT audit_tui.my_audits('{lead}', true))
           OR (c.allocated_to = session_user::text
               AND c.audit_id IN (SELECT audit_tui.my_audits('{auditor}', true))))));
CREATE POLICY answer_change ON audit_tui.answer FOR UPDATE
  USING (EXISTS (
    SELECT 1 FROM audit_tui.audit_case c
    WHERE c.id = answer.case_id AND c.audit_id = answer.audit_id
      AND c.signed_off_at IS NULL AND c.removed_at IS NULL
      AND (c.audit_id IN (SELECT audit_tui.my_audits('{lead}', true))
           OR (c.allocated_to = session_user::text
               AND c.audit_id IN (SELECT audit_tui.my_audits('{auditor}', true))))));
CREATE TRIGGER answer_stamp BEFORE INSERT OR UPDATE ON audit_tui.answer
  FOR EACH ROW EXECUTE FUNCTION audit_tui.answer_stamp();
CREATE TRIGGER answer_keys BEFORE UPDATE OF id, audit_id, case_id, item_id ON audit_tui.answer
  FOR EACH ROW EXECUTE FUNCTION audit_tui.keep_keys('id', 'audit_id', 'case_id', 'item_id');
CREATE TRIGGER answer_given AFTER INSERT ON audit_tui.answer
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_tui.answer_changed();
CREATE TRIGGER answer_changed AFTER UPDATE ON audit_tui.answer
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit_tui.answer_changed();
