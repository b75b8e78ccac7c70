-- A case as the server keeps it. New cases start unanswered, unallocated work; a signed-off case
-- never changes again; in a locked audit nothing changes; an auditor may only mark their own
-- case complete, the lead does the rest; who and when of completion, sign-off and removal are
-- the server's, and a removal needs its reason.
CREATE OR REPLACE FUNCTION audit_tui.case_guard()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  r text;
  now_ timestamptz := pg_catalog.statement_timestamp();
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.created_at := now_;
    NEW.answered := 0;
    NEW.completed_at := NULL; NEW.completed_by := NULL;
    NEW.signed_off_at := NULL; NEW.signed_off_by := NULL;
    NEW.removed_at := NULL; NEW.removed_by := NULL; NEW.removed_reason := NULL;
    RETURN NEW;
  END IF;
  IF OLD.signed_off_at IS NOT NULL THEN
    PERFORM audit_tui.refuse(pg_catalog.format(
      'case %s was signed off: it can no longer change', OLD.case_ref));
  END IF;
  IF (SELECT au.locked_at FROM audit_tui.audit au WHERE au.id = NEW.audit_id) IS NOT NULL THEN
    PERFORM audit_tui.refuse('the audit is locked: nothing in it can change until its lead unlocks it');
  END IF;
  r := audit_tui.my_role(NEW.audit_id);
  IF r IS DISTINCT FROM 'lead' THEN
    IF r IS DISTINCT FROM 'auditor' OR OLD.allocated_to IS DISTINCT FROM session_user::text
       OR (NEW.case_ref, NEW.position, NEW.attributes::text, NEW.allocated_to, NEW.removed_at,
           NEW.removed_by, NEW.removed_reason, NEW.signed_off_at, NEW.signed_off_by,
           NEW.practitioner, NEW.team)
          IS DISTINCT FROM
          (OLD.case_ref, OLD.position, OLD.attributes::text, OLD.allocated_to, OLD.removed_at,
           OLD.removed_by, OLD.removed_reason, OLD.signed_off_at, OLD.signed_off_by,
           OLD.practitioner, OLD.team)
       OR (OLD.completed_at IS NOT NULL AND NEW.completed_at IS NULL) THEN
      PERFORM audit_tui.refuse(pg_catalog.format(
        '%s may only mark case %s complete: the lead changes the rest', session_user, OLD.case_ref));
    END IF;
  END IF;
  IF NEW.case_ref IS DISTINCT FROM OLD.case_ref OR NEW.position IS DISTINCT FROM OLD.position THEN
    PERFORM audit_tui.refuse('a case keeps its reference and its place in the sample');
  END IF;
  IF OLD.completed_at IS NULL AND NEW.completed_at IS NOT NULL THEN
    NEW.completed_at := now_;
    NEW.completed_by := session_user::text;
  ELSIF NEW.completed_at IS NULL THEN
    NEW.completed_by := NULL;
  ELSE
    NEW.completed_at := OLD.completed_at;
    NEW.completed_by := OLD.completed_by;
  END IF;
  IF NEW.signed_off_at IS NOT NULL THEN
    NEW.signed_off_at := now_;
    NEW.signed_off_by := session_user::text;
  ELSE
    NEW.signed_off_by := NULL;
  END IF;
  IF OLD.removed_at IS NULL AND NEW.removed_at IS NOT NULL THEN
    IF coalesce(pg_catalog.btrim(NEW.removed_reason), '') = '' THEN
      PERFORM audit_tui.refuse(pg_catalog.format('say why case %s is removed', OLD.case_ref));
    END IF;
    NEW.removed_at := now_;
    NEW.removed_by := session_user::text;
  ELSIF NEW.removed_at IS NULL THEN
    NEW.removed_by := NULL;
    NEW.removed_reason := NULL;
  ELSE
    NEW.removed_at := OLD.removed_at;
    NEW.removed_by := OLD.removed_by;
    NEW.removed_reason := OLD.removed_reason;
  END IF;
  RETURN NEW;
END
$$;
