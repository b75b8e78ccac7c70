-- The cases whose answers the login may give or change: in an unlocked audit, neither signed off
-- nor removed, and theirs to answer (they lead the audit, or audit it and the case is theirs).
CREATE OR REPLACE FUNCTION audit_tui.answerable_cases()
RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  SELECT c.id FROM audit_tui.audit_case c
  WHERE c.signed_off_at IS NULL AND c.removed_at IS NULL
    AND (c.audit_id IN (SELECT audit_tui.my_audits('{lead}', true))
         OR (c.allocated_to = session_user::text
             AND c.audit_id IN (SELECT audit_tui.my_audits('{auditor}', true))))
$$;
