-- The second marks' history: written only by the server; read as the second marks are.
ALTER TABLE audit_tui.second_answer_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY second_answer_history_read ON audit_tui.second_answer_history FOR SELECT
  USING (moderation_case_id IN (SELECT audit_tui.readable_markings()));
CREATE TRIGGER second_answer_history_kept BEFORE UPDATE OR DELETE
  ON audit_tui.second_answer_history
  FOR EACH ROW EXECUTE FUNCTION audit_tui.append_only('moderation_case', 'moderation_case_id');
