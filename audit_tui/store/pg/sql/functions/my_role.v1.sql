-- The login's role in one audit ('lead', 'auditor', 'viewer'), or NULL; an administrator (the
-- schema's owner or a superuser) acts as lead of an audit that has no members at all.
CREATE OR REPLACE FUNCTION audit_tui.my_role(a integer)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  SELECT coalesce(
    (SELECT m.role FROM audit_tui.audit_member m
     WHERE m.audit_id = a AND m.user_name = session_user::text),
    CASE WHEN audit_tui.is_admin()
          AND NOT EXISTS (SELECT 1 FROM audit_tui.audit_member m WHERE m.audit_id = a)
         THEN 'lead' END)
$$;
