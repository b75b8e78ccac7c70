-- The agreed answer of a settlement becomes the audit's answer, changed by the server (the
-- settler may be the second marker, who may not answer the case): its history says "via
-- moderation" with the settlement's reason, and the kept counts follow as for any answer.
CREATE OR REPLACE FUNCTION audit_tui.settlement_applied()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  cid integer := (SELECT mc.case_id FROM audit_tui.moderation_case mc
                  WHERE mc.id = NEW.moderation_case_id);
  was_via text := pg_catalog.current_setting('audit_tui.via', true);
  was_reason text := pg_catalog.current_setting('audit_tui.reason', true);
BEGIN
  PERFORM pg_catalog.set_config('audit_tui.via', 'moderation', true);
  PERFORM pg_catalog.set_config('audit_tui.reason', NEW.reason, true);
  INSERT INTO audit_tui.answer AS x
    (audit_id, case_id, item_id, value, note, updated_at, updated_by)
  SELECT c.audit_id, c.id, NEW.item_id, NEW.agreed_value, '', pg_catalog.statement_timestamp(),
         session_user::text
  FROM audit_tui.audit_case c WHERE c.id = cid
  ON CONFLICT (case_id, item_id) DO UPDATE SET value = excluded.value
  WHERE x.value IS DISTINCT FROM excluded.value;
  PERFORM pg_catalog.set_config('audit_tui.via', coalesce(was_via, ''), true);
  PERFORM pg_catalog.set_config('audit_tui.reason', coalesce(was_reason, ''), true);
  RETURN NULL;
END
$$;
