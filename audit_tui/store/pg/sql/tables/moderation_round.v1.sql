-- Rounds of moderation: read by the audit's members; started by the lead of an unlocked audit;
-- never changed (the cases, the rule and the seed are the round's record).
ALTER TABLE audit_tui.moderation_round ENABLE ROW LEVEL SECURITY;
CREATE POLICY moderation_round_read ON audit_tui.moderation_round FOR SELECT
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false)));
CREATE POLICY moderation_round_start ON audit_tui.moderation_round FOR INSERT
  WITH CHECK (audit_id IN (SELECT audit_tui.my_audits('{lead}', true)));
CREATE TRIGGER moderation_round_stamp BEFORE INSERT ON audit_tui.moderation_round
  FOR EACH ROW EXECUTE FUNCTION audit_tui.stamp('created_at', 'created_by');
CREATE TRIGGER moderation_round_kept BEFORE UPDATE OR DELETE ON audit_tui.moderation_round
  FOR EACH ROW EXECUTE FUNCTION audit_tui.append_only('audit', 'audit_id');
