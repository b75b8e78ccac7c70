-- Members: read by the audit's members; added, changed and removed by its lead (while locked
-- too: who may do what is not a figure); stamped by the server; an audit always keeps a lead.
ALTER TABLE audit_tui.audit_member ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_member_read ON audit_tui.audit_member FOR SELECT
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false)));
CREATE POLICY audit_member_add ON audit_tui.audit_member FOR INSERT
  WITH CHECK (audit_id IN (SELECT audit_tui.my_audits('{lead}', false)));
CREATE POLICY audit_member_change ON audit_tui.audit_member FOR UPDATE
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead}', false)))
  WITH CHECK (audit_id IN (SELECT audit_tui.my_audits('{lead}', false)));
CREATE POLICY audit_member_remove ON audit_tui.audit_member FOR DELETE
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead}', false)));
CREATE TRIGGER audit_member_stamp BEFORE INSERT ON audit_tui.audit_member
  FOR EACH ROW EXECUTE FUNCTION audit_tui.stamp('added_at', 'added_by');
CREATE TRIGGER audit_member_keys BEFORE UPDATE OF audit_id, user_name ON audit_tui.audit_member
  FOR EACH ROW EXECUTE FUNCTION audit_tui.keep_keys('audit_id', 'user_name');
CREATE TRIGGER audit_member_lead AFTER UPDATE OR DELETE ON audit_tui.audit_member
  FOR EACH ROW EXECUTE FUNCTION audit_tui.member_guard();
