-- Whether the login administers this database's audit-tui schema: its owner, or a superuser.
-- Neither is bound by the row policies (PostgreSQL exempts them); the triggers still hold them.
CREATE OR REPLACE FUNCTION audit_tui.is_admin()
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  SELECT EXISTS (
    SELECT 1 FROM pg_catalog.pg_roles r
    WHERE r.rolname = session_user
      AND (r.rolsuper OR r.oid = (SELECT n.nspowner FROM pg_catalog.pg_namespace n
                                  WHERE n.nspname = 'audit_tui')))
$$;
