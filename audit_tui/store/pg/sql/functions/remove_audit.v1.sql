-- Deletes an audit, and by its foreign keys everything in it, for the lead of an unlocked audit
-- (who `audit_remove` let delete it), or an administrator of an unlocked audit with no members
-- (who acts as its lead, `begin_write`): 1, or 0 when the login may not. Logins hold no DELETE on
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
  WHERE au.id = a
    AND (au.id IN (SELECT audit_tui.my_audits('{lead}', true))
         OR (au.locked_at IS NULL AND audit_tui.is_admin() AND NOT audit_tui.has_members(a)));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
