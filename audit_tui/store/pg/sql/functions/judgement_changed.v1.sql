-- A domain-one judgement's history, written by the server: old values as it read them, the
-- login, the time and how.
CREATE OR REPLACE FUNCTION audit_tui.judgement_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW.rating, NEW.strengths, NEW.improvements)
                          IS NOT DISTINCT FROM (OLD.rating, OLD.strengths, OLD.improvements) THEN
    RETURN NULL;
  END IF;
  INSERT INTO audit_tui.judgement_history
    (audit_id, standard_id, old_rating, new_rating, old_strengths, new_strengths,
     old_improvements, new_improvements, changed_at, changed_by, via)
  VALUES
    (NEW.audit_id, NEW.standard_id,
     CASE WHEN TG_OP = 'UPDATE' THEN OLD.rating END, NEW.rating,
     CASE WHEN TG_OP = 'UPDATE' THEN OLD.strengths END, NEW.strengths,
     CASE WHEN TG_OP = 'UPDATE' THEN OLD.improvements END, NEW.improvements,
     pg_catalog.statement_timestamp(), session_user::text, audit_tui.change_via());
  RETURN NULL;
END
$$;
