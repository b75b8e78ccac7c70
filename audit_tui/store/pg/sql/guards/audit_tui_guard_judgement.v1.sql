CREATE OR REPLACE FUNCTION audit_tui_guard_judgement() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM audit_tui_need_lead(OLD.audit_id, 'delete judgements', false);
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'judgement_history' THEN
    PERFORM audit_tui_refuse('history is append-only');
  END IF;
  PERFORM audit_tui_need_lead(NEW.audit_id, 'change judgements', false);
  IF TG_TABLE_NAME = 'judgement' THEN
    NEW.updated_by := session_user;
  ELSE
    NEW.changed_by := session_user;
  END IF;
  RETURN NEW;
END $$;
