CREATE OR REPLACE FUNCTION audit_tui_guard_case() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  a integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.audit_id ELSE NEW.audit_id END;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.audit_id IS DISTINCT FROM OLD.audit_id THEN
    PERFORM audit_tui_refuse('a case cannot move to another audit');
  END IF;
  IF TG_OP = 'UPDATE'
     AND (NEW.case_ref, NEW.position, NEW.attributes::text, NEW.allocated_to, NEW.removed_at,
          NEW.removed_by, NEW.removed_reason, NEW.signed_off_at, NEW.signed_off_by)
         IS NOT DISTINCT FROM
         (OLD.case_ref, OLD.position, OLD.attributes::text, OLD.allocated_to, OLD.removed_at,
          OLD.removed_by, OLD.removed_reason, OLD.signed_off_at, OLD.signed_off_by)
  THEN
    -- only its progress moved: the count of answers (a settler's too), or its auditor marking
    -- it complete
    IF (NEW.completed_at, NEW.completed_by) IS NOT DISTINCT FROM
       (OLD.completed_at, OLD.completed_by) THEN
      PERFORM audit_tui_need_answer(NEW.id, NULL, NULL);
    ELSE
      PERFORM audit_tui_need_case(NEW.id);
    END IF;
    IF NEW.completed_by IS DISTINCT FROM OLD.completed_by AND NEW.completed_by IS NOT NULL THEN
      NEW.completed_by := session_user;
    END IF;
    RETURN NEW;
  END IF;
  PERFORM audit_tui_need_lead(a, 'change the audit''s cases', false);
  IF TG_OP = 'UPDATE' AND OLD.signed_off_at IS NOT NULL
     AND NEW.attributes::text IS DISTINCT FROM OLD.attributes::text THEN
    PERFORM audit_tui_refuse(format('case %s was signed off: it can no longer change',
                                    OLD.case_ref));
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  IF NEW.signed_off_at IS NOT NULL
     AND (TG_OP = 'INSERT' OR OLD.signed_off_at IS DISTINCT FROM NEW.signed_off_at) THEN
    NEW.signed_off_by := session_user;
  END IF;
  IF NEW.removed_at IS NOT NULL
     AND (TG_OP = 'INSERT' OR OLD.removed_at IS DISTINCT FROM NEW.removed_at) THEN
    NEW.removed_by := session_user;
  END IF;
  RETURN NEW;
END $$;
