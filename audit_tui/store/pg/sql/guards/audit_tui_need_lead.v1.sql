-- The lead of an open (unlocked) audit, or refuse.
CREATE OR REPLACE FUNCTION audit_tui_need_lead(a integer, what text, while_locked boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r text := audit_tui_role(a);
  locked timestamptz;
BEGIN
  IF r IS DISTINCT FROM 'lead' THEN
    PERFORM audit_tui_refuse(format('only the audit''s lead may %s (%s is %s)',
                                    what, session_user, coalesce(r, 'not a member')));
  END IF;
  IF NOT while_locked THEN
    SELECT locked_at INTO locked FROM audit WHERE id = a;
    IF locked IS NOT NULL THEN
      PERFORM audit_tui_refuse('the audit is locked: nothing in it can change');
    END IF;
  END IF;
END $$;
