CREATE OR REPLACE FUNCTION audit_tui_guard_round() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM audit WHERE id = OLD.audit_id) THEN
      PERFORM audit_tui_need_lead(OLD.audit_id, 'delete a round of moderation', false);
    END IF;
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF (NEW.audit_id, NEW.number, NEW.marker, NEW.created_at, NEW.created_by)
       IS DISTINCT FROM
       (OLD.audit_id, OLD.number, OLD.marker, OLD.created_at, OLD.created_by) THEN
      PERFORM audit_tui_refuse('a round''s audit, number, marker and creation are fixed');
    END IF;
    PERFORM audit_tui_need_lead(NEW.audit_id, 'change a round of moderation', false);
    RETURN NEW;
  END IF;
  PERFORM audit_tui_need_lead(NEW.audit_id, 'choose cases for moderation', false);
  NEW.created_by := session_user;
  RETURN NEW;
END $$;
