-- After a case changes state: a case withdrawn from the sample leaves the audit's kept counts
-- (and a restored one comes back into them), and the log says so, written by the server:
-- removed (with the reason), marked complete, signed off.
CREATE OR REPLACE FUNCTION audit_tui.case_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  step integer := 0;
BEGIN
  IF OLD.removed_at IS NULL AND NEW.removed_at IS NOT NULL THEN
    step := -1;
    PERFORM audit_tui.write_event(NEW.audit_id, 'remove-case',
                                  NEW.case_ref || ': ' || NEW.removed_reason);
  ELSIF OLD.removed_at IS NOT NULL AND NEW.removed_at IS NULL THEN
    step := 1;
  END IF;
  IF step <> 0 THEN
    INSERT INTO audit_tui.item_tally AS k (audit_id, item_id, value, n)
    SELECT NEW.audit_id, x.item_id, x.value, step * pg_catalog.count(*)
    FROM audit_tui.answer x WHERE x.case_id = NEW.id AND x.value IS NOT NULL
    GROUP BY x.item_id, x.value
    ON CONFLICT (audit_id, item_id, value) DO UPDATE SET n = k.n + excluded.n;
  END IF;
  IF OLD.signed_off_at IS NULL AND NEW.signed_off_at IS NOT NULL THEN
    PERFORM audit_tui.write_event(NEW.audit_id, 'sign-off', NEW.case_ref);
  ELSIF OLD.completed_at IS NULL AND NEW.completed_at IS NOT NULL THEN
    PERFORM audit_tui.write_event(NEW.audit_id, 'complete', NEW.case_ref);
  END IF;
  RETURN NULL;
END
$$;
