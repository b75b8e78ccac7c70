-- The login's role in one audit ('lead', 'auditor', 'viewer'), or NULL; an administrator (the
-- schema's owner or a superuser) acts as lead of an audit that has no members at all.
-- Version 2: a login that is no member but holds a scope over the audit's region or PDU
-- (`scope_grant`) is its viewer: it reads, and its reads are logged, and it changes nothing.
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
         THEN 'lead' END,
    (SELECT 'viewer' FROM audit_tui.audit au JOIN audit_tui.scope_grant s
       ON (s.kind = 'region' AND au.region = s.name) OR (s.kind = 'pdu' AND au.pdu = s.name)
     WHERE au.id = a AND s.user_name = session_user::text
     LIMIT 1))
$$;
