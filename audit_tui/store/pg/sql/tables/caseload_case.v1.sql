-- The caseload extract a sample is drawn from: read by the audit's members; replaced whole by
-- the lead of an unlocked audit, until a sample has been drawn from it (then it is the record
-- of what the sample was drawn from, and stays).
ALTER TABLE audit_tui.caseload_case ENABLE ROW LEVEL SECURITY;
CREATE POLICY caseload_case_read ON audit_tui.caseload_case FOR SELECT
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false)));
CREATE POLICY caseload_case_import ON audit_tui.caseload_case FOR INSERT
  WITH CHECK (audit_id IN (SELECT audit_tui.my_audits('{lead}', true))
              AND audit_id NOT IN (SELECT d.audit_id FROM audit_tui.sample_draw d));
CREATE POLICY caseload_case_replace ON audit_tui.caseload_case FOR DELETE
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead}', true))
         AND audit_id NOT IN (SELECT d.audit_id FROM audit_tui.sample_draw d));
CREATE TRIGGER caseload_case_keys BEFORE UPDATE ON audit_tui.caseload_case
  FOR EACH ROW EXECUTE FUNCTION audit_tui.append_only('audit', 'audit_id');
