CREATE OR REPLACE FUNCTION audit_tui_guard_second_answer() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  a integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT mr.audit_id INTO a FROM moderation_case mc
      JOIN moderation_round mr ON mr.id = mc.round_id WHERE mc.id = OLD.moderation_case_id;
    IF FOUND THEN
      PERFORM audit_tui_need_lead(a, 'delete second marks', false);
    END IF;
    RETURN OLD;
  END IF;
  PERFORM audit_tui_need_marking(NEW.moderation_case_id);
  IF TG_OP = 'UPDATE' AND NEW.moderation_case_id IS DISTINCT FROM OLD.moderation_case_id THEN
    PERFORM audit_tui_refuse('a second mark cannot move to another case');
  END IF;
  NEW.updated_by := session_user;
  RETURN NEW;
END $$;
