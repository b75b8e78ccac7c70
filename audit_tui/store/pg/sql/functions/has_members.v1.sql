-- Whether an audit has any member: an audit just created has none until its creator is made
-- lead (in the same statement), and may be read back by them in between.
CREATE OR REPLACE FUNCTION audit_tui.has_members(a integer)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  SELECT EXISTS (SELECT 1 FROM audit_tui.audit_member m WHERE m.audit_id = a)
$$;
