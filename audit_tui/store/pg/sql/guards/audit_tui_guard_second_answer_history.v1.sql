CREATE OR REPLACE FUNCTION audit_tui_guard_second_answer_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM moderation_case WHERE id = OLD.moderation_case_id) THEN
      PERFORM audit_tui_refuse('history is append-only');
    END IF;
    RETURN OLD;  -- its moderated case is being deleted (by the lead: checked there)
  END IF;
  IF TG_OP = 'UPDATE' THEN
    PERFORM audit_tui_refuse('history is append-only');
  END IF;
  PERFORM audit_tui_need_marking(NEW.moderation_case_id);
  NEW.changed_by := session_user;
  RETURN NEW;
END $$;
