-- The cases whose answers (and their history, feedback and actions) the login may read: those
-- of the audits they are a member of, but the ones they second-mark blind.
CREATE OR REPLACE FUNCTION audit_tui.readable_cases()
RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  SELECT c.id FROM audit_tui.audit_case c
  WHERE c.audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false))
    AND c.id NOT IN (SELECT audit_tui.blind_cases())
$$;
