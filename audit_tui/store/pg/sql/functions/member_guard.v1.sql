-- An audit always keeps a lead: nobody else could manage it. (Its members go with a deleted
-- audit, which is checked by who may delete it.)
CREATE OR REPLACE FUNCTION audit_tui.member_guard()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
BEGIN
  IF OLD.role = 'lead'
     AND EXISTS (SELECT 1 FROM audit_tui.audit au WHERE au.id = OLD.audit_id)
     AND NOT EXISTS (SELECT 1 FROM audit_tui.audit_member m
                     WHERE m.audit_id = OLD.audit_id AND m.role = 'lead') THEN
    PERFORM audit_tui.refuse(pg_catalog.format(
      '%s is the audit''s only lead: make someone else lead first', OLD.user_name));
  END IF;
  RETURN NULL;
END
$$;
