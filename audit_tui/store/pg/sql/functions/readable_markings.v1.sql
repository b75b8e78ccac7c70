-- The moderated cases whose second marks the login may read: their own marking, any marking of
-- an audit they lead, and any completed marking of an audit they are a member of (until then,
-- not even the first marker sees what the second marker is doing).
CREATE OR REPLACE FUNCTION audit_tui.readable_markings()
RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER ROWS 20
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  SELECT mc.id FROM audit_tui.moderation_case mc
  JOIN audit_tui.moderation_round r ON r.id = mc.round_id
  WHERE r.audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false))
    AND (r.marker = session_user::text OR mc.completed_at IS NOT NULL
         OR r.audit_id IN (SELECT audit_tui.my_audits('{lead}', false)))
$$;
