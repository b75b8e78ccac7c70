CREATE OR REPLACE FUNCTION audit_tui_guard_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.created_by := session_user;
    NEW.locked_at := NULL;
    NEW.locked_by := NULL;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM audit_tui_need_lead(OLD.id, 'delete the audit', false);
    RETURN OLD;
  END IF;
  IF (NEW.rubric_id, NEW.rubric_version, NEW.rubric_hash, NEW.rubric_snapshot, NEW.created_at,
      NEW.created_by)
     IS DISTINCT FROM
     (OLD.rubric_id, OLD.rubric_version, OLD.rubric_hash, OLD.rubric_snapshot, OLD.created_at,
      OLD.created_by) THEN
    PERFORM audit_tui_refuse('an audit''s rubric and creation are fixed');
  END IF;
  IF (NEW.locked_at, NEW.locked_by) IS DISTINCT FROM (OLD.locked_at, OLD.locked_by) THEN
    PERFORM audit_tui_need_lead(OLD.id, 'lock or unlock the audit', true);
    IF NEW.locked_at IS NOT NULL THEN
      NEW.locked_by := session_user;
    END IF;
  END IF;
  IF (NEW.name, NEW.pdu, NEW.region) IS DISTINCT FROM (OLD.name, OLD.pdu, OLD.region) THEN
    PERFORM audit_tui_need_lead(OLD.id, 'rename the audit', false);
  END IF;
  RETURN NEW;  -- a revision count alone may move for anyone: it only says "look again"
END $$;
