-- The first marks of a moderated case as they stood when its second marking was completed:
-- written only by the server at that moment; read by the audit's members from then on.
ALTER TABLE audit_tui.moderation_first_mark ENABLE ROW LEVEL SECURITY;
CREATE POLICY moderation_first_mark_read ON audit_tui.moderation_first_mark FOR SELECT
  USING (moderation_case_id IN (SELECT audit_tui.readable_markings()));
CREATE TRIGGER moderation_first_mark_kept BEFORE UPDATE OR DELETE
  ON audit_tui.moderation_first_mark
  FOR EACH ROW EXECUTE FUNCTION audit_tui.append_only('moderation_case', 'moderation_case_id');
