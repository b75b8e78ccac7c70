-- Append to an audit's event log, stamped by the server: the time and the login are never the
-- client's. Called by the trail's triggers and by log_event(); no login may call it directly.
CREATE OR REPLACE FUNCTION audit_tui.write_event(a integer, what text, detail text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  INSERT INTO audit_tui.audit_event (audit_id, audit_name, at, "by", event, detail)
  SELECT au.id, au.name, pg_catalog.clock_timestamp(), session_user::text, what,
         pg_catalog.left(coalesce(detail, ''), 2000)
  FROM audit_tui.audit au WHERE au.id = a
$$;
