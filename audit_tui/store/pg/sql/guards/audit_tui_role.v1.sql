CREATE OR REPLACE FUNCTION audit_tui_role(a integer) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM audit_member m WHERE m.audit_id = a) THEN 'lead'
    ELSE (SELECT m.role FROM audit_member m WHERE m.audit_id = a AND m.user_name = session_user)
  END
$$;
