-- Feedback for the practitioner: read by the audit's members (not a blind second marker of the
-- case); written by the case's reviewers (the lead, or the auditor it is allocated to), after
-- sign-off and lock too: the follow-up changes no figure. Stamped by the server.
ALTER TABLE audit_tui.case_feedback ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_feedback_read ON audit_tui.case_feedback FOR SELECT
  USING (case_id IN (SELECT c.id FROM audit_tui.audit_case c
                     WHERE c.audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false)))
         AND case_id NOT IN (SELECT audit_tui.blind_cases()));
CREATE POLICY case_feedback_write ON audit_tui.case_feedback FOR INSERT
  WITH CHECK (EXISTS (
    SELECT 1 FROM audit_tui.audit_case c
    WHERE c.id = case_feedback.case_id AND c.audit_id = case_feedback.audit_id AND c.removed_at IS NULL
      AND (c.audit_id IN (SELECT audit_tui.my_audits('{lead}', false))
           OR (c.allocated_to = session_user::text
               AND c.audit_id IN (SELECT audit_tui.my_audits('{auditor}', false))))));
CREATE POLICY case_feedback_change ON audit_tui.case_feedback FOR UPDATE
  USING (EXISTS (
    SELECT 1 FROM audit_tui.audit_case c
    WHERE c.id = case_feedback.case_id AND c.audit_id = case_feedback.audit_id AND c.removed_at IS NULL
      AND (c.audit_id IN (SELECT audit_tui.my_audits('{lead}', false))
           OR (c.allocated_to = session_user::text
               AND c.audit_id IN (SELECT audit_tui.my_audits('{auditor}', false))))));
CREATE TRIGGER case_feedback_case BEFORE INSERT ON audit_tui.case_feedback
  FOR EACH ROW EXECUTE FUNCTION audit_tui.follow_up_guard();
CREATE TRIGGER case_feedback_stamp BEFORE INSERT OR UPDATE ON audit_tui.case_feedback
  FOR EACH ROW EXECUTE FUNCTION audit_tui.stamp('updated_at', 'updated_by', 'on-update');
CREATE TRIGGER case_feedback_keys BEFORE UPDATE OF case_id, audit_id ON audit_tui.case_feedback
  FOR EACH ROW EXECUTE FUNCTION audit_tui.keep_keys('case_id', 'audit_id');
