-- An action's life, written by the server: agreed (no old values), then each change of status
-- or date with the note that said why.
CREATE OR REPLACE FUNCTION audit_tui.action_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.status, NEW.due) IS NOT DISTINCT FROM (OLD.status, OLD.due) THEN
    RETURN NULL;
  END IF;
  INSERT INTO audit_tui.case_action_history
    (action_id, audit_id, old_status, new_status, old_due, new_due, note, changed_at, changed_by)
  VALUES
    (NEW.id, NEW.audit_id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status,
     CASE WHEN TG_OP = 'UPDATE' THEN OLD.due END, NEW.due,
     coalesce(audit_tui.context('note'), ''), pg_catalog.statement_timestamp(),
     session_user::text);
  RETURN NULL;
END
$$;
