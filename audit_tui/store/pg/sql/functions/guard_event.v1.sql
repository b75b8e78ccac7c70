-- The event log outlives its audit: a row never changes, but for letting go of an audit that has
-- been deleted (the foreign key's SET NULL), and it is never deleted.
CREATE OR REPLACE FUNCTION audit_tui.guard_event()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.audit_id IS NULL AND OLD.audit_id IS NOT NULL
     AND (NEW.id, NEW.audit_name, NEW.at, NEW."by", NEW.event, NEW.detail)
         IS NOT DISTINCT FROM (OLD.id, OLD.audit_name, OLD.at, OLD."by", OLD.event, OLD.detail)
     AND NOT EXISTS (SELECT 1 FROM audit_tui.audit au WHERE au.id = OLD.audit_id) THEN
    RETURN NEW;
  END IF;
  PERFORM audit_tui.refuse('the event log is append-only: its rows never change');
  RETURN NULL;
END
$$;
