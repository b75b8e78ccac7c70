-- The actions' history: written only by the server; read as the actions are.
ALTER TABLE audit_tui.case_action_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY case_action_history_read ON audit_tui.case_action_history FOR SELECT
  USING (action_id IN (SELECT a.id FROM audit_tui.case_action a));
CREATE TRIGGER case_action_history_kept BEFORE UPDATE OR DELETE
  ON audit_tui.case_action_history
  FOR EACH ROW EXECUTE FUNCTION audit_tui.append_only('case_action', 'action_id');
