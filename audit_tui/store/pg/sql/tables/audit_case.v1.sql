-- Cases: read by the audit's members; added by the lead of an unlocked audit; changed there by
-- the lead, or by the auditor it is allocated to (marking it complete); never once signed off;
-- never deleted but with their audit (a case leaves the sample by removal, which keeps it).
ALTER TABLE audit_tui.audit_case ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_case_read ON audit_tui.audit_case FOR SELECT
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false)));
CREATE POLICY audit_case_add ON audit_tui.audit_case FOR INSERT
  WITH CHECK (audit_id IN (SELECT audit_tui.my_audits('{lead}', true)));
CREATE POLICY audit_case_change ON audit_tui.audit_case FOR UPDATE
  USING (signed_off_at IS NULL
         AND (audit_id IN (SELECT audit_tui.my_audits('{lead}', true))
              OR (allocated_to = session_user::text
                  AND audit_id IN (SELECT audit_tui.my_audits('{auditor}', true)))))
  WITH CHECK (audit_id IN (SELECT audit_tui.my_audits('{lead}', true))
              OR (allocated_to = session_user::text
                  AND audit_id IN (SELECT audit_tui.my_audits('{auditor}', true))));
CREATE TRIGGER audit_case_guard
  BEFORE INSERT OR UPDATE OF case_ref, position, attributes, allocated_to, removed_at,
    removed_by, removed_reason, completed_at, completed_by, signed_off_at, signed_off_by,
    practitioner, team
  ON audit_tui.audit_case FOR EACH ROW EXECUTE FUNCTION audit_tui.case_guard();
CREATE TRIGGER audit_case_keys BEFORE UPDATE OF id, audit_id ON audit_tui.audit_case
  FOR EACH ROW EXECUTE FUNCTION audit_tui.keep_keys('id', 'audit_id');
CREATE TRIGGER audit_case_changed AFTER UPDATE OF removed_at, signed_off_at, completed_at
  ON audit_tui.audit_case FOR EACH ROW EXECUTE FUNCTION audit_tui.case_changed();
