-- The moderated cases whose disagreements the login may settle: completed, the case neither
-- signed off nor removed, the audit unlocked; by its lead, or by either marker of the case.
CREATE OR REPLACE FUNCTION audit_tui.settleable_markings()
RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER ROWS 20
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  SELECT mc.id FROM audit_tui.moderation_case mc
  JOIN audit_tui.moderation_round r ON r.id = mc.round_id
  JOIN audit_tui.audit_case c ON c.id = mc.case_id
  WHERE mc.completed_at IS NOT NULL AND c.signed_off_at IS NULL AND c.removed_at IS NULL
    AND (r.audit_id IN (SELECT audit_tui.my_audits('{lead}', true))
         OR (session_user::text IN (r.marker, mc.first_marker)
             AND r.audit_id IN (SELECT audit_tui.my_audits('{lead,auditor}', true))))
$$;
