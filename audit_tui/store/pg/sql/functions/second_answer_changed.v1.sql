-- A second mark's history, written by the server (the second marker's own trail).
CREATE OR REPLACE FUNCTION audit_tui.second_answer_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  old_value text;
  old_note text := '';
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF (NEW.value, NEW.note) IS NOT DISTINCT FROM (OLD.value, OLD.note) THEN
      RETURN NULL;
    END IF;
    old_value := OLD.value;
    old_note := OLD.note;
  END IF;
  INSERT INTO audit_tui.second_answer_history
    (moderation_case_id, item_id, old_value, new_value, old_note, new_note, changed_at,
     changed_by, via)
  VALUES
    (NEW.moderation_case_id, NEW.item_id, old_value, NEW.value,
     CASE WHEN old_note IS DISTINCT FROM NEW.note THEN old_note END,
     CASE WHEN old_note IS DISTINCT FROM NEW.note THEN NEW.note END,
     pg_catalog.statement_timestamp(), session_user::text, audit_tui.change_via());
  RETURN NULL;
END
$$;
