-- The judgements' history: written only by the server; read as the judgements are.
ALTER TABLE audit_tui.judgement_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY judgement_history_read ON audit_tui.judgement_history FOR SELECT
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false))
         AND audit_id NOT IN (SELECT audit_tui.blind_audits()));
CREATE TRIGGER judgement_history_kept BEFORE UPDATE OR DELETE ON audit_tui.judgement_history
  FOR EACH ROW EXECUTE FUNCTION audit_tui.append_only('audit', 'audit_id');
