-- Removes a member of an audit, for its lead (who `audit_member_remove` lets do it, while locked
-- too): 1, or 0 when the login may not. The server still keeps the audit a lead
-- (`member_guard`). Logins hold no DELETE on the table (0015): with it, `LOCK TABLE` on it was
-- theirs to take, row security or not.
CREATE OR REPLACE FUNCTION audit_tui.remove_member(a integer, u text)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  n integer;
BEGIN
  DELETE FROM audit_tui.audit_member m
  WHERE m.audit_id = a AND m.user_name = u
    AND m.audit_id IN (SELECT audit_tui.my_audits('{lead}', false));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
