-- The kept counts behind live ratings: written only by the server, in the transaction that moves
-- an answer; read by the audit's members, but not while they second-mark a case of it blind.
ALTER TABLE audit_tui.item_tally ENABLE ROW LEVEL SECURITY;
CREATE POLICY item_tally_read ON audit_tui.item_tally FOR SELECT
  USING (audit_id IN (SELECT audit_tui.my_audits('{lead,auditor,viewer}', false))
         AND audit_id NOT IN (SELECT audit_tui.blind_audits()));
CREATE TRIGGER item_tally_keys BEFORE UPDATE OF audit_id, item_id, value ON audit_tui.item_tally
  FOR EACH ROW EXECUTE FUNCTION audit_tui.keep_keys('audit_id', 'item_id', 'value');
