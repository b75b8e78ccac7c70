-- Actions for the practitioner: read and written as feedback is; agreed open, then done,
-- dropped or reopened, or moved to another date, saying why; history written by the server.
ALTER TABLE audit_tui.case_action ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_action_read ON audit_tui.case_action FOR SELECT
  USING (case_id IN (SELECT c.id FROM audit_tui.audit_case c
                     WHERE c.audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false)))
         AND case_id NOT IN (SELECT audit_tui.blind_cases()));
CREATE POLICY case_action_agree ON audit_tui.case_action FOR INSERT
  WITH CHECK (EXISTS (
    SELECT 1 FROM audit_tui.audit_case c
    WHERE c.id = case_action.case_id AND c.audit_id = case_action.audit_id AND c.removed_at IS NULL
      AND (c.audit_id IN (SELECT audit_tui.my_audits('{lead}', false))
           OR (c.allocated_to = session_user::text
               AND c.audit_id IN (SELECT audit_tui.my_audits('{auditor}', false))))));
CREATE POLICY case_action_follow_up ON audit_tui.case_action FOR UPDATE
  USING (EXISTS (
    SELECT 1 FROM audit_tui.audit_case c
    WHERE c.id = case_action.case_id AND c.audit_id = case_action.audit_id AND c.removed_at IS NULL
      AND (c.audit_id IN (SELECT audit_tui.my_audits('{lead}', false))
           OR (c.allocated_to = session_user::text
               AND c.audit_id IN (SELECT audit_tui.my_audits('{auditor}', false))))));
CREATE TRIGGER case_action_case BEFORE INSERT ON audit_tui.case_action
  FOR EACH ROW EXECUTE FUNCTION audit_tui.follow_up_guard();
CREATE TRIGGER case_action_guard BEFORE INSERT OR UPDATE ON audit_tui.case_action
  FOR EACH ROW EXECUTE FUNCTION audit_tui.action_guard();
CREATE TRIGGER case_action_keys BEFORE UPDATE OF id, audit_id, case_id ON audit_tui.case_action
  FOR EACH ROW EXECUTE FUNCTION audit_tui.keep_keys('id', 'audit_id', 'case_id');
CREATE TRIGGER case_action_changed AFTER INSERT OR UPDATE ON audit_tui.case_action
  FOR EACH ROW EXECUTE FUNCTION audit_tui.action_changed();
