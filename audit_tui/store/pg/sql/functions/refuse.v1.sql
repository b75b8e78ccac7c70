-- One refusal, worded for the person: the app shows what follows "audit-tui: " as one line.
CREATE OR REPLACE FUNCTION audit_tui.refuse(why text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
BEGIN
  RAISE EXCEPTION 'audit-tui: %', why USING ERRCODE = 'insufficient_privilege';
END
$$;
