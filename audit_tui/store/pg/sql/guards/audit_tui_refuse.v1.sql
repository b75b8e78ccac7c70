CREATE OR REPLACE FUNCTION audit_tui_refuse(why text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit-tui: %', why USING ERRCODE = 'insufficient_privilege';
END $$;
