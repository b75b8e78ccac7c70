-- Audits: read by their members (and by their creator in the instant before the server makes
-- them lead); created by any granted login; renamed, locked and unlocked by the lead; deleted
-- by the lead of an unlocked audit.
ALTER TABLE audit_tui.audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_read ON audit_tui.audit FOR SELECT
  USING (id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false))
         OR (created_by = session_user::text AND NOT audit_tui.has_members(id)));
CREATE POLICY audit_create ON audit_tui.audit FOR INSERT
  WITH CHECK (created_by = session_user::text);
CREATE POLICY audit_change ON audit_tui.audit FOR UPDATE
  USING (id IN (SELECT audit_tui.my_audits('{lead}', false)))
  WITH CHECK (id IN (SELECT audit_tui.my_audits('{lead}', false)));
CREATE POLICY audit_remove ON audit_tui.audit FOR DELETE
  USING (id IN (SELECT audit_tui.my_audits('{lead}', true)));
CREATE TRIGGER audit_guard BEFORE INSERT OR UPDATE ON audit_tui.audit
  FOR EACH ROW EXECUTE FUNCTION audit_tui.audit_guard();
CREATE TRIGGER audit_keys BEFORE UPDATE OF id ON audit_tui.audit
  FOR EACH ROW EXECUTE FUNCTION audit_tui.keep_keys('id');
CREATE TRIGGER audit_created AFTER INSERT ON audit_tui.audit
  FOR EACH ROW EXECUTE FUNCTION audit_tui.audit_created();
CREATE TRIGGER audit_changed AFTER UPDATE OF name, locked_at ON audit_tui.audit
  FOR EACH ROW EXECUTE FUNCTION audit_tui.audit_changed();
