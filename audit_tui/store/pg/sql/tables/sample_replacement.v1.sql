-- Replacements of drawn cases: read by the audit's members; recorded by the lead of an unlocked
-- audit, stamped by the server; never changed.
ALTER TABLE audit_tui.sample_replacement ENABLE ROW LEVEL SECURITY;
CREATE POLICY sample_replacement_read ON audit_tui.sample_replacement FOR SELECT
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false)));
CREATE POLICY sample_replacement_record ON audit_tui.sample_replacement FOR INSERT
  WITH CHECK (audit_id IN (SELECT audit_tui.my_audits('{lead}', true)));
CREATE TRIGGER sample_replacement_stamp BEFORE INSERT ON audit_tui.sample_replacement
  FOR EACH ROW EXECUTE FUNCTION audit_tui.stamp('at', 'by');
CREATE TRIGGER sample_replacement_kept BEFORE UPDATE OR DELETE ON audit_tui.sample_replacement
  FOR EACH ROW EXECUTE FUNCTION audit_tui.append_only('audit', 'audit_id');
