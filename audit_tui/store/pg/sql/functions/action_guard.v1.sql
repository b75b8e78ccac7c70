-- An action as the server keeps it: agreed open, by the login, for a case of the audit it names;
-- what was agreed never changes; dropping or reopening it or moving its date needs a note (the
-- context's `note`), as someone will ask why.
CREATE OR REPLACE FUNCTION audit_tui.action_guard()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  now_ timestamptz := pg_catalog.statement_timestamp();
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'open' THEN
      PERFORM audit_tui.refuse('an action is agreed open');
    END IF;
    NEW.created_at := now_;
    NEW.created_by := session_user::text;
  ELSE
    IF NEW.what IS DISTINCT FROM OLD.what OR NEW.created_at IS DISTINCT FROM OLD.created_at
       OR NEW.created_by IS DISTINCT FROM OLD.created_by THEN
      PERFORM audit_tui.refuse('what an action agreed, and who agreed it when, never change');
    END IF;
    IF ((NEW.status <> OLD.status AND NEW.status IN ('open', 'dropped'))
        OR NEW.due IS DISTINCT FROM OLD.due)
       AND audit_tui.context('note') IS NULL THEN
      PERFORM audit_tui.refuse(pg_catalog.format('say why (action %s)', OLD.id));
    END IF;
  END IF;
  NEW.updated_at := now_;
  NEW.updated_by := session_user::text;
  RETURN NEW;
END
$$;
