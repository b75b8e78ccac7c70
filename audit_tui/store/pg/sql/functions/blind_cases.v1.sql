-- The cases the login is second-marking blind (a round of theirs, not yet marked complete): their
-- first marks, and everything counted from them, are hidden from the login until then.
CREATE OR REPLACE FUNCTION audit_tui.blind_cases()
RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER ROWS 1
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  SELECT DISTINCT mc.case_id
  FROM audit_tui.moderation_case mc
  JOIN audit_tui.moderation_round r ON r.id = mc.round_id
  WHERE r.marker = session_user::text AND mc.completed_at IS NULL
$$;
