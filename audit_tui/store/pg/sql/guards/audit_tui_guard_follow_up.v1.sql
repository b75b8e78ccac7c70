CREATE OR REPLACE FUNCTION audit_tui_guard_follow_up() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  cid integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM audit WHERE id = OLD.audit_id) THEN
      PERFORM audit_tui_need_lead(OLD.audit_id, 'delete feedback or actions', true);
    END IF;
    RETURN OLD;
  END IF;
  IF TG_TABLE_NAME = 'case_action_history' THEN
    IF TG_OP = 'UPDATE' THEN
      PERFORM audit_tui_refuse('history is append-only');
    END IF;
    SELECT case_id INTO cid FROM case_action WHERE id = NEW.action_id;
    PERFORM audit_tui_need_reviewer(cid);
    NEW.changed_by := session_user;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.case_id, NEW.audit_id) IS DISTINCT FROM (OLD.case_id, OLD.audit_id)
  THEN
    PERFORM audit_tui_refuse('feedback and actions cannot move to another case');
  END IF;
  IF (SELECT audit_id FROM audit_case WHERE id = NEW.case_id) IS DISTINCT FROM NEW.audit_id THEN
    PERFORM audit_tui_refuse('the case is not in that audit');
  END IF;
  PERFORM audit_tui_need_reviewer(NEW.case_id);
  NEW.updated_by := session_user;
  IF TG_TABLE_NAME = 'case_action' AND TG_OP = 'INSERT' THEN
    NEW.created_by := session_user;
  END IF;
  RETURN NEW;
END $$;
