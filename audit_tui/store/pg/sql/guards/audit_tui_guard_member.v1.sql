CREATE OR REPLACE FUNCTION audit_tui_guard_member() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM audit WHERE id = OLD.audit_id) THEN
      PERFORM audit_tui_need_lead(OLD.audit_id, 'manage members', true);
    END IF;
    RETURN OLD;
  END IF;
  PERFORM audit_tui_need_lead(NEW.audit_id, 'manage members', true);
  IF TG_OP = 'INSERT' THEN
    NEW.added_by := session_user;
  END IF;
  RETURN NEW;
END $$;
