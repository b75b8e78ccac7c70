CREATE OR REPLACE FUNCTION audit_tui_guard_moderation_case() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  rd record;
  c record;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT audit_id INTO rd FROM moderation_round WHERE id = OLD.round_id;
    IF FOUND AND EXISTS (SELECT 1 FROM audit_case WHERE id = OLD.case_id) THEN
      PERFORM audit_tui_need_lead(rd.audit_id, 'take a case out of moderation', false);
    END IF;
    RETURN OLD;  -- else its round or its case is being deleted, and was checked there
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.round_id, NEW.case_id, NEW.first_marker)
                          IS DISTINCT FROM (OLD.round_id, OLD.case_id, OLD.first_marker) THEN
    PERFORM audit_tui_refuse('a moderated case keeps its round, its case and its first marker');
  END IF;
  SELECT audit_id, marker INTO rd FROM moderation_round WHERE id = NEW.round_id;
  IF TG_OP = 'INSERT' THEN
    SELECT audit_id, case_ref, allocated_to INTO c FROM audit_case WHERE id = NEW.case_id;
    IF c.audit_id IS DISTINCT FROM rd.audit_id THEN
      PERFORM audit_tui_refuse('a round moderates cases of its own audit only');
    END IF;
    PERFORM audit_tui_need_lead(rd.audit_id, 'choose cases for moderation', false);
    IF rd.marker = NEW.first_marker OR rd.marker = c.allocated_to THEN
      PERFORM audit_tui_refuse(format('%s marked case %s first: a second marker marks someone'
                                      ' else''s case', rd.marker, c.case_ref));
    END IF;
    NEW.completed_at := NULL;  -- it is second-marked, then marked complete
    NEW.completed_by := NULL;
    RETURN NEW;
  END IF;
  IF OLD.completed_at IS NULL THEN
    PERFORM audit_tui_need_marking(OLD.id);  -- marking it complete
  ELSE
    PERFORM audit_tui_need_lead(rd.audit_id, 'reopen a completed second marking', false);
  END IF;
  NEW.completed_by := CASE
    WHEN NEW.completed_at IS NULL THEN NULL
    WHEN NEW.completed_at IS NOT DISTINCT FROM OLD.completed_at THEN OLD.completed_by
    ELSE session_user
  END;
  RETURN NEW;
END $$;
