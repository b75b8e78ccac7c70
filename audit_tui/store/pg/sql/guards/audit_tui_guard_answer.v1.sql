CREATE OR REPLACE FUNCTION audit_tui_guard_answer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM audit_tui_need_lead((SELECT audit_id FROM audit_case WHERE id = OLD.case_id),
                                'delete answers', false);
    RETURN OLD;
  END IF;
  PERFORM audit_tui_need_case(NEW.case_id);
  IF TG_OP = 'UPDATE' AND NEW.case_id IS DISTINCT FROM OLD.case_id THEN
    PERFORM audit_tui_refuse('an answer cannot move to another case');
  END IF;
  NEW.updated_by := session_user;
  RETURN NEW;
END $$;
