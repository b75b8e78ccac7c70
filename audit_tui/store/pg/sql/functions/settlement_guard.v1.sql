-- A settlement is of a disagreement: both markers answered the item, differently, as moderated
-- (the first marks kept at completion, the second marks as completed). Its first and second
-- values are the server's reading of those marks, never the client's; who and when too.
CREATE OR REPLACE FUNCTION audit_tui.settlement_guard()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  first_value text;
  second_value text;
BEGIN
  SELECT f.value INTO first_value FROM audit_tui.moderation_first_mark f
  WHERE f.moderation_case_id = NEW.moderation_case_id AND f.item_id = NEW.item_id;
  SELECT s.value INTO second_value FROM audit_tui.second_answer s
  WHERE s.moderation_case_id = NEW.moderation_case_id AND s.item_id = NEW.item_id;
  IF first_value IS NULL OR second_value IS NULL OR first_value = second_value THEN
    PERFORM audit_tui.refuse(pg_catalog.format(
      'the markers did not disagree on %s: there is nothing to settle', NEW.item_id));
  END IF;
  IF coalesce(pg_catalog.btrim(NEW.reason), '') = '' THEN
    PERFORM audit_tui.refuse(pg_catalog.format('say why %s was settled so', NEW.item_id));
  END IF;
  NEW.first_value := first_value;
  NEW.second_value := second_value;
  NEW.settled_at := pg_catalog.statement_timestamp();
  NEW.settled_by := session_user::text;
  RETURN NEW;
END
$$;
