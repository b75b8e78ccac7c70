-- A case put in a round of moderation: of the round's own audit, never the second marker's own
-- case; it is second-marked, then marked complete once (by the round's marker, or the lead
-- entering the marker's sheet), stamped by the server, and never reopened: its figures stand.
CREATE OR REPLACE FUNCTION audit_tui.moderation_case_guard()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  rd record;
  c record;
BEGIN
  SELECT r.audit_id, r.marker INTO rd FROM audit_tui.moderation_round r WHERE r.id = NEW.round_id;
  IF TG_OP = 'INSERT' THEN
    SELECT ac.audit_id, ac.case_ref, ac.allocated_to INTO c
    FROM audit_tui.audit_case ac WHERE ac.id = NEW.case_id;
    IF c.audit_id IS DISTINCT FROM rd.audit_id THEN
      PERFORM audit_tui.refuse('a round moderates cases of its own audit only');
    END IF;
    IF rd.marker = NEW.first_marker OR rd.marker = c.allocated_to THEN
      PERFORM audit_tui.refuse(pg_catalog.format(
        '%s marked case %s first: a second marker marks someone else''s case', rd.marker, c.case_ref));
    END IF;
    NEW.completed_at := NULL;
    NEW.completed_by := NULL;
    RETURN NEW;
  END IF;
  IF OLD.completed_at IS NOT NULL THEN
    PERFORM audit_tui.refuse('this second marking was completed: its marks and figures stand');
  END IF;
  IF NEW.completed_at IS NOT NULL THEN
    NEW.completed_at := pg_catalog.statement_timestamp();
    NEW.completed_by := session_user::text;
  ELSE
    NEW.completed_by := NULL;
  END IF;
  RETURN NEW;
END
$$;
