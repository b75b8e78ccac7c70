CREATE OR REPLACE FUNCTION audit_tui_guard_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW."by" := session_user;
    NEW.at := now();
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.audit_id IS NULL
     AND (NEW.audit_name, NEW.at, NEW."by", NEW.event, NEW.detail)
         IS NOT DISTINCT FROM (OLD.audit_name, OLD.at, OLD."by", OLD.event, OLD.detail) THEN
    IF OLD.audit_id IS NOT NULL THEN  -- the audit is being deleted: its log outlives it
      PERFORM audit_tui_need_lead(OLD.audit_id, 'delete the audit', false);
    END IF;
    RETURN NEW;
  END IF;
  PERFORM audit_tui_refuse('the event log is append-only');
  RETURN NULL;
END $$;
