-- An audit as the server keeps it: created by the login that inserts it, at the server's time,
-- unlocked; its rubric, kind and creation never change; a locked audit keeps its name; a lock is
-- stamped with who and when, and an unlock needs a reason (set as the context's `reason`).
CREATE OR REPLACE FUNCTION audit_tui.audit_guard()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.created_by := session_user::text;
    NEW.created_at := pg_catalog.statement_timestamp();
    NEW.revision := 0;
    NEW.locked_at := NULL;
    NEW.locked_by := NULL;
    RETURN NEW;
  END IF;
  IF (NEW.rubric_id, NEW.rubric_version, NEW.rubric_hash, NEW.rubric_snapshot, NEW.kind,
      NEW.created_at, NEW.created_by)
     IS DISTINCT FROM
     (OLD.rubric_id, OLD.rubric_version, OLD.rubric_hash, OLD.rubric_snapshot, OLD.kind,
      OLD.created_at, OLD.created_by) THEN
    PERFORM audit_tui.refuse('an audit''s rubric, kind and creation never change');
  END IF;
  IF OLD.locked_at IS NOT NULL AND NEW.locked_at IS NOT NULL
     AND (NEW.name, NEW.pdu, NEW.region) IS DISTINCT FROM (OLD.name, OLD.pdu, OLD.region) THEN
    PERFORM audit_tui.refuse('the audit is locked: nothing in it can change until its lead unlocks it');
  END IF;
  IF (NEW.locked_at, NEW.locked_by) IS DISTINCT FROM (OLD.locked_at, OLD.locked_by) THEN
    IF NEW.locked_at IS NOT NULL THEN
      IF OLD.locked_at IS NOT NULL THEN
        PERFORM audit_tui.refuse('the audit is locked already');
      END IF;
      NEW.locked_at := pg_catalog.statement_timestamp();
      NEW.locked_by := session_user::text;
    ELSE
      IF audit_tui.context('reason') IS NULL THEN
        PERFORM audit_tui.refuse('say why the audit is unlocked: a locked audit''s figures were published');
      END IF;
      NEW.locked_by := NULL;
    END IF;
  END IF;
  RETURN NEW;
END
$$;
