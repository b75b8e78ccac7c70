-- Scopes: a login that reads every audit of a region (region lead) or of a PDU (PDU viewer)
-- without being a member of each. Granted and revoked by the database's owner alone: no login
-- holds any privilege but SELECT on it, and then reads only its own scopes.
ALTER TABLE audit_tui.scope_grant ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope_grant_read ON audit_tui.scope_grant FOR SELECT
  USING (user_name = session_user::text);
