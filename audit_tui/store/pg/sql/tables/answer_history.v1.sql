-- The answers' history: written only by the server; read as the answers are.
ALTER TABLE audit_tui.answer_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY answer_history_read ON audit_tui.answer_history FOR SELECT
  USING (case_id IN (SELECT c.id FROM audit_tui.audit_case c
                     WHERE c.audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false)))
         AND case_id NOT IN (SELECT audit_tui.blind_cases()));
CREATE TRIGGER answer_history_kept BEFORE UPDATE OR DELETE ON audit_tui.answer_history
  FOR EACH ROW EXECUTE FUNCTION audit_tui.append_only('audit_case', 'case_id');
