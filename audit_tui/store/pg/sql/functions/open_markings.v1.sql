-- The moderated cases the login may second-mark or mark complete: not yet completed, in an
-- unlocked audit, the round's marker's (or the lead's, who enters a marker's sheet for them).
CREATE OR REPLACE FUNCTION audit_tui.open_markings()
RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER ROWS 20
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  SELECT mc.id FROM audit_tui.moderation_case mc
  JOIN audit_tui.moderation_round r ON r.id = mc.round_id
  WHERE mc.completed_at IS NULL
    AND (r.audit_id IN (SELECT audit_tui.my_audits('{lead}', true))
         OR (r.marker = session_user::text
             AND r.audit_id IN (SELECT audit_tui.my_audits('{lead,auditor}', true))))
$$;
