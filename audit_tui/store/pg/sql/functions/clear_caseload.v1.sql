-- Clears an audit's caseload extract before a new one is imported, for the lead of an unlocked
-- audit not yet sampled from it (who `caseload_case_replace` let do it), or an administrator of
-- such an audit with no members (who acts as its lead, `begin_write`): the rows cleared.
-- Logins hold no DELETE on the table (0015): with it, `LOCK TABLE` on it was theirs to take, row
-- security or not.
CREATE OR REPLACE FUNCTION audit_tui.clear_caseload(a integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  n integer;
BEGIN
  DELETE FROM audit_tui.caseload_case c
  WHERE c.audit_id = a
    AND (a IN (SELECT audit_tui.my_audits('{lead}', true))
         OR (audit_tui.is_admin() AND NOT audit_tui.has_members(a)
             AND a IN (SELECT au.id FROM audit_tui.audit au WHERE au.locked_at IS NULL)))
    AND a NOT IN (SELECT d.audit_id FROM audit_tui.sample_draw d);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
