-- A new audit's creator is its lead, and its log begins: both written by the server. Version 2:
-- and the audit's write lock rows are made (`audit_write_lock`, 0015).
CREATE OR REPLACE FUNCTION audit_tui.audit_created()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
BEGIN
  INSERT INTO audit_tui.audit_write_lock (audit_id, lock)
  VALUES (NEW.id, 'gate'), (NEW.id, 'write');
  INSERT INTO audit_tui.audit_member (audit_id, user_name, role, added_at, added_by)
  VALUES (NEW.id, NEW.created_by, 'lead', NEW.created_at, NEW.created_by);
  PERFORM audit_tui.write_event(
    NEW.id, 'create',
    pg_catalog.format('%sagainst %s %s; %s leads it',
                      CASE WHEN NEW.kind = 'oversight' THEN 'oversight audit ' ELSE '' END,
                      NEW.rubric_id, NEW.rubric_version, NEW.created_by));
  RETURN NULL;
END
$$;
