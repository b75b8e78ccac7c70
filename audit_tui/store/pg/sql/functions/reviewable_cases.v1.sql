-- The cases whose feedback and actions the login may write: its reviewers' (the lead, or the
-- auditor it is allocated to), after sign-off and lock too, as the follow-up changes no figure.
CREATE OR REPLACE FUNCTION audit_tui.reviewable_cases()
RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  SELECT c.id FROM audit_tui.audit_case c
  WHERE c.removed_at IS NULL
    AND (c.audit_id IN (SELECT audit_tui.my_audits('{lead}', false))
         OR (c.allocated_to = session_user::text
             AND c.audit_id IN (SELECT audit_tui.my_audits('{auditor}', false))))
$$;
