CREATE OR REPLACE FUNCTION audit_tui_guard_sampling() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM audit WHERE id = OLD.audit_id) THEN
      PERFORM audit_tui_need_lead(OLD.audit_id, 'change the audit''s sample', false);
    END IF;
    RETURN OLD;
  END IF;
  PERFORM audit_tui_need_lead(NEW.audit_id, 'change the audit''s sample', false);
  IF TG_TABLE_NAME = 'sample_draw' THEN
    NEW.drawn_by := session_user;
  ELSIF TG_TABLE_NAME = 'sample_replacement' THEN
    NEW.by := session_user;
  END IF;
  RETURN NEW;
END $$;
