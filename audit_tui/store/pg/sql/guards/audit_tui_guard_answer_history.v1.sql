CREATE OR REPLACE FUNCTION audit_tui_guard_answer_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM audit_tui_need_lead((SELECT audit_id FROM audit_case WHERE id = OLD.case_id),
                                'delete history', false);
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    PERFORM audit_tui_refuse('history is append-only');
  END IF;
  PERFORM audit_tui_need_case(NEW.case_id);
  NEW.changed_by := session_user;
  RETURN NEW;
END $$;
