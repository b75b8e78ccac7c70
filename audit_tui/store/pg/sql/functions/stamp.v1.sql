-- Who and when, written by the server whatever the client sent: sets column TG_ARGV[0] to the
-- statement's time and TG_ARGV[1] to the login (on INSERT, and on UPDATE when TG_ARGV[2] says so).
CREATE OR REPLACE FUNCTION audit_tui.stamp()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND coalesce(TG_ARGV[2], '') <> 'on-update' THEN
    RETURN NEW;
  END IF;
  NEW := pg_catalog.jsonb_populate_record(NEW, pg_catalog.jsonb_build_object(
    TG_ARGV[0], pg_catalog.statement_timestamp(), TG_ARGV[1], session_user::text));
  RETURN NEW;
END
$$;
