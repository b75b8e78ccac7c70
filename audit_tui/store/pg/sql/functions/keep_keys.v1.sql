-- A row never changes what it belongs to: the columns named as the trigger's arguments (its id,
-- its audit, its case...) keep their values, whoever writes. Fires only when an UPDATE names
-- one of them, so moving an answer or a case to another audit is refused outright.
CREATE OR REPLACE FUNCTION audit_tui.keep_keys()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  old_row jsonb := pg_catalog.to_jsonb(OLD);
  new_row jsonb := pg_catalog.to_jsonb(NEW);
  k text;
BEGIN
  FOREACH k IN ARRAY TG_ARGV LOOP
    IF old_row -> k IS DISTINCT FROM new_row -> k THEN
      PERFORM audit_tui.refuse(pg_catalog.format('%s.%s cannot change: a row stays where it was made',
                                                 TG_TABLE_NAME, k));
    END IF;
  END LOOP;
  RETURN NEW;
END
$$;
