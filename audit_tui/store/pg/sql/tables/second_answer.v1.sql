-- Second marks: read by their marker and the lead, and by the audit's members once the case is
-- completed (until then the first marker cannot see them either); given by the round's marker
-- (or the lead entering their sheet) until the case is marked complete, in an unlocked audit.
ALTER TABLE audit_tui.second_answer ENABLE ROW LEVEL SECURITY;
CREATE POLICY second_answer_read ON audit_tui.second_answer FOR SELECT
  USING (moderation_case_id IN (SELECT audit_tui.readable_markings()));
CREATE POLICY second_answer_give ON audit_tui.second_answer FOR INSERT
  WITH CHECK (moderation_case_id IN (SELECT audit_tui.open_markings()));
CREATE POLICY second_answer_change ON audit_tui.second_answer FOR UPDATE
  USING (moderation_case_id IN (SELECT audit_tui.open_markings()))
  WITH CHECK (moderation_case_id IN (SELECT audit_tui.open_markings()));
CREATE TRIGGER second_answer_stamp BEFORE INSERT OR UPDATE ON audit_tui.second_answer
  FOR EACH ROW EXECUTE FUNCTION audit_tui.stamp('updated_at', 'updated_by', 'on-update');
CREATE TRIGGER second_answer_keys BEFORE UPDATE OF id, moderation_case_id, item_id
  ON audit_tui.second_answer
  FOR EACH ROW EXECUTE FUNCTION audit_tui.keep_keys('id', 'moderation_case_id', 'item_id');
CREATE TRIGGER second_answer_changed AFTER INSERT OR UPDATE ON audit_tui.second_answer
  FOR EACH ROW EXECUTE FUNCTION audit_tui.second_answer_changed();
