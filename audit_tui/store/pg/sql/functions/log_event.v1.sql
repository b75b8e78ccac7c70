-- The one way a login adds to an audit's event log: what it did that the server cannot see for
-- itself (an export and its purpose, a case opened, an import's summary). The server stamps the
-- time and the login; the event must be one the login's role may record, and the events the
-- server writes itself (create, rename, lock, unlock, sign-off, complete, remove-case) are not.
CREATE OR REPLACE FUNCTION audit_tui.log_event(a integer, what text, detail text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  r text := coalesce(audit_tui.my_role(a),
                     CASE WHEN audit_tui.is_admin() THEN 'lead' END);  -- the owner records all
BEGIN
  IF r IS NULL THEN
    PERFORM audit_tui.refuse('not a member of this audit: nothing was recorded');
  END IF;
  IF what IN ('open-case', 'export') THEN
    NULL;  -- any member who reads the audit: consultation and disclosure are logged
  ELSIF what IN ('second-mark-complete', 'second-mark-import', 'feedback', 'action', 'settle') THEN
    IF r NOT IN ('lead', 'auditor') THEN
      PERFORM audit_tui.refuse(pg_catalog.format('%s is a viewer: read only', session_user));
    END IF;
  ELSIF what IN ('delete', 'add-cases', 'update-cases', 'clear-answers', 'member', 'allocate',
                 'moderate', 'caseload', 'sample', 'replace-case',
                 'codes', 'repair', 'restore-case', 'summary') THEN
    IF r <> 'lead' THEN
      PERFORM audit_tui.refuse(pg_catalog.format('only the lead records %s events', what));
    END IF;
  ELSE
    PERFORM audit_tui.refuse(pg_catalog.format('%s is not an event a login records', what));
  END IF;
  PERFORM audit_tui.write_event(a, what, detail);
END
$$;
