-- The moment a second marking is completed, the server keeps the first marks as they stand:
-- agreement is counted from these, so a later change to the case's answers (a settlement, a
-- later round) never moves a round's figures.
CREATE OR REPLACE FUNCTION audit_tui.moderation_completed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
BEGIN
  IF OLD.completed_at IS NULL AND NEW.completed_at IS NOT NULL THEN
    INSERT INTO audit_tui.moderation_first_mark (moderation_case_id, item_id, value, note)
    SELECT NEW.id, x.item_id, x.value, x.note
    FROM audit_tui.answer x
    WHERE x.case_id = NEW.case_id AND (x.value IS NOT NULL OR x.note <> '')
    ON CONFLICT (moderation_case_id, item_id) DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
