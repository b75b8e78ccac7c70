-- What happened to an audit as a whole, written by the server as it happens: renamed, locked,
-- unlocked (with the reason the unlock was given).
CREATE OR REPLACE FUNCTION audit_tui.audit_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
BEGIN
  IF NEW.name IS DISTINCT FROM OLD.name THEN
    PERFORM audit_tui.write_event(NEW.id, 'rename', OLD.name || ' → ' || NEW.name);
  END IF;
  IF OLD.locked_at IS NULL AND NEW.locked_at IS NOT NULL THEN
    PERFORM audit_tui.write_event(NEW.id, 'lock', '');
  ELSIF OLD.locked_at IS NOT NULL AND NEW.locked_at IS NULL THEN
    PERFORM audit_tui.write_event(NEW.id, 'unlock', audit_tui.context('reason'));
  END IF;
  RETURN NULL;
END
$$;
