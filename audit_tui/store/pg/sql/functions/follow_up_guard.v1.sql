-- Feedback and actions belong to a case of the audit they name (the two ids agree).
CREATE OR REPLACE FUNCTION audit_tui.follow_up_guard()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM audit_tui.audit_case c
                 WHERE c.id = NEW.case_id AND c.audit_id = NEW.audit_id) THEN
    PERFORM audit_tui.refuse('the case is not in that audit');
  END IF;
  RETURN NEW;
END
$$;
