-- Domain-one judgements: read by the audit's members (not while they second-mark a case of it
-- blind); set by the lead of an unlocked audit; history written by the server.
ALTER TABLE audit_tui.judgement ENABLE ROW LEVEL SECURITY;
CREATE POLICY judgement_read ON audit_tui.judgement FOR SELECT
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false))
         AND audit_id NOT IN (SELECT audit_tui.blind_audits()));
CREATE POLICY judgement_give ON audit_tui.judgement FOR INSERT
  WITH CHECK (audit_id IN (SELECT audit_tui.my_audits('{lead}', true)));
CREATE POLICY judgement_change ON audit_tui.judgement FOR UPDATE
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead}', true)))
  WITH CHECK (audit_id IN (SELECT audit_tui.my_audits('{lead}', true)));
CREATE TRIGGER judgement_stamp BEFORE INSERT OR UPDATE ON audit_tui.judgement
  FOR EACH ROW EXECUTE FUNCTION audit_tui.stamp('updated_at', 'updated_by', 'on-update');
CREATE TRIGGER judgement_keys BEFORE UPDATE OF id, audit_id, standard_id ON audit_tui.judgement
  FOR EACH ROW EXECUTE FUNCTION audit_tui.keep_keys('id', 'audit_id', 'standard_id');
CREATE TRIGGER judgement_changed AFTER INSERT OR UPDATE ON audit_tui.judgement
  FOR EACH ROW EXECUTE FUNCTION audit_tui.judgement_changed();
