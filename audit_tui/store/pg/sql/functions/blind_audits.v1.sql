-- The audits in which the login second-marks a case blind: figures counted over the whole audit
-- (the kept counts, the judgements) would show them first marks, so they are hidden too.
CREATE OR REPLACE FUNCTION audit_tui.blind_audits()
RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER ROWS 1
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  SELECT DISTINCT r.audit_id
  FROM audit_tui.moderation_case mc
  JOIN audit_tui.moderation_round r ON r.id = mc.round_id
  WHERE r.marker = session_user::text AND mc.completed_at IS NULL
$$;
