CREATE OR REPLACE FUNCTION audit_tui_guard_answer() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  value_alone boolean;  -- all a settlement moves (a new answer: with no note)
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM audit_tui_need_lead((SELECT audit_id FROM audit_case WHERE id = OLD.case_id),
                                'delete answers', false);
    RETURN OLD;
  END IF;
  IF TG_OP = 'INSERT' THEN
    value_alone := NEW.note = '';
  ELSE
    value_alone := (NEW.case_id, NEW.item_id, NEW.note)
                   IS NOT DISTINCT FROM (OLD.case_id, OLD.item_id, OLD.note);
  END IF;
  IF value_alone THEN
    PERFORM audit_tui_need_answer(NEW.case_id, NEW.item_id, NEW.value);
  ELSE
    PERFORM audit_tui_need_case(NEW.case_id);
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.case_id IS DISTINCT FROM OLD.case_id THEN
    PERFORM audit_tui_refuse('an answer cannot move to another case');
  END IF;
  NEW.updated_by := session_user;
  RETURN NEW;
END $$;
