-- Settlements: read by the audit's members; made by the lead or either marker of a completed
-- moderated case, until it is signed off, in an unlocked audit, and only of a disagreement (the
-- server reads both marks); the agreed answer becomes the audit's answer, by the server.
ALTER TABLE audit_tui.settlement ENABLE ROW LEVEL SECURITY;
CREATE POLICY settlement_read ON audit_tui.settlement FOR SELECT
  USING (moderation_case_id IN (SELECT mc.id FROM audit_tui.moderation_case mc
                           JOIN audit_tui.moderation_round r ON r.id = mc.round_id
                           WHERE r.audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false))));
CREATE POLICY settlement_make ON audit_tui.settlement FOR INSERT
  WITH CHECK (moderation_case_id IN (SELECT audit_tui.settleable_markings()));
CREATE POLICY settlement_change ON audit_tui.settlement FOR UPDATE
  USING (moderation_case_id IN (SELECT audit_tui.settleable_markings()))
  WITH CHECK (moderation_case_id IN (SELECT audit_tui.settleable_markings()));
CREATE TRIGGER settlement_guard BEFORE INSERT OR UPDATE ON audit_tui.settlement
  FOR EACH ROW EXECUTE FUNCTION audit_tui.settlement_guard();
CREATE TRIGGER settlement_keys BEFORE UPDATE OF id, moderation_case_id, item_id
  ON audit_tui.settlement
  FOR EACH ROW EXECUTE FUNCTION audit_tui.keep_keys('id', 'moderation_case_id', 'item_id');
CREATE TRIGGER settlement_applied AFTER INSERT OR UPDATE ON audit_tui.settlement
  FOR EACH ROW EXECUTE FUNCTION audit_tui.settlement_applied();
