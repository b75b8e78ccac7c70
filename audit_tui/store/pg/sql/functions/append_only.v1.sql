-- The trail is append-only: a row is never changed, and is deleted only with what it belongs to
-- (the row of TG_ARGV[0] whose id is in column TG_ARGV[1], gone when its audit is deleted).
CREATE OR REPLACE FUNCTION audit_tui.append_only()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  parent_gone boolean;
BEGIN
  IF TG_OP = 'DELETE' THEN
    EXECUTE pg_catalog.format('SELECT NOT EXISTS (SELECT 1 FROM audit_tui.%I WHERE id = $1)',
                              TG_ARGV[0])
      INTO parent_gone USING (pg_catalog.to_jsonb(OLD) ->> TG_ARGV[1])::integer;
    IF parent_gone THEN
      RETURN OLD;
    END IF;
  END IF;
  PERFORM audit_tui.refuse(pg_catalog.format('%s is append-only: its rows never change', TG_TABLE_NAME));
  RETURN NULL;
END
$$;
