-- The cases of a round: read by the audit's members; chosen by the lead of an unlocked audit;
-- marked complete once by the round's marker (or the lead entering their sheet); then fixed.
ALTER TABLE audit_tui.moderation_case ENABLE ROW LEVEL SECURITY;
CREATE POLICY moderation_case_read ON audit_tui.moderation_case FOR SELECT
  USING (round_id IN (SELECT r.id FROM audit_tui.moderation_round r
                      WHERE r.audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false))));
CREATE POLICY moderation_case_choose ON audit_tui.moderation_case FOR INSERT
  WITH CHECK (round_id IN (SELECT r.id FROM audit_tui.moderation_round r
                           WHERE r.audit_id IN (SELECT audit_tui.my_audits('{lead}', true))));
CREATE POLICY moderation_case_complete ON audit_tui.moderation_case FOR UPDATE
  USING (id IN (SELECT audit_tui.open_markings()))
  WITH CHECK (id IN (SELECT audit_tui.open_markings()));
CREATE TRIGGER moderation_case_guard BEFORE INSERT OR UPDATE ON audit_tui.moderation_case
  FOR EACH ROW EXECUTE FUNCTION audit_tui.moderation_case_guard();
CREATE TRIGGER moderation_case_keys BEFORE UPDATE OF id, round_id, case_id, first_marker
  ON audit_tui.moderation_case
  FOR EACH ROW EXECUTE FUNCTION audit_tui.keep_keys('id', 'round_id', 'case_id', 'first_marker');
CREATE TRIGGER moderation_case_completed AFTER UPDATE OF completed_at ON audit_tui.moderation_case
  FOR EACH ROW EXECUTE FUNCTION audit_tui.moderation_completed();
