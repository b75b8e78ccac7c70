-- Deletes an audit, and by its foreign keys everything in it, for the lead of an unlocked audit
-- (who `audit_remove` lets delete it): 1, or 0 when the login may not. Logins hold no DELETE on
-- the table (0015): with it, `LOCK TABLE audit_tui.audit IN EXCLUSIVE MODE` was theirs to take,
-- row security or not, and held it stopped every write on the server.
CREATE OR REPLACE FUNCTION audit_tui.remove_audit(a integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  n integer;
BEGIN
  DELETE FROM audit_tui.audit au
  WHERE au.id = a AND au.id IN (SELECT audit_tui.my_audits('{lead}', true));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
