-- How the sample was drawn: read by the audit's members; recorded once by the lead of an
-- unlocked audit, stamped by the server; never changed.
ALTER TABLE audit_tui.sample_draw ENABLE ROW LEVEL SECURITY;
CREATE POLICY sample_draw_read ON audit_tui.sample_draw FOR SELECT
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false)));
CREATE POLICY sample_draw_record ON audit_tui.sample_draw FOR INSERT
  WITH CHECK (audit_id IN (SELECT audit_tui.my_audits('{lead}', true)));
CREATE TRIGGER sample_draw_stamp BEFORE INSERT ON audit_tui.sample_draw
  FOR EACH ROW EXECUTE FUNCTION audit_tui.stamp('drawn_at', 'drawn_by');
CREATE TRIGGER sample_draw_kept BEFORE UPDATE OR DELETE ON audit_tui.sample_draw
  FOR EACH ROW EXECUTE FUNCTION audit_tui.append_only('audit', 'audit_id');
