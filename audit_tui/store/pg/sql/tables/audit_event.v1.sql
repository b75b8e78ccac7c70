-- The event log: written only by the server (its triggers, and log_event for what a login does
-- that the server cannot see); read by the audit's members; it outlives a deleted audit.
ALTER TABLE audit_tui.audit_event ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_event_read ON audit_tui.audit_event FOR SELECT
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false)));
CREATE TRIGGER audit_event_kept BEFORE UPDATE OR DELETE ON audit_tui.audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_tui.guard_event();
