-- Whoever may change this case's answers, or refuse.
CREATE OR REPLACE FUNCTION audit_tui_need_case(cid integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  c record;
  r text;
BEGIN
  SELECT ac.audit_id, ac.case_ref, ac.allocated_to, ac.signed_off_at, au.locked_at
    INTO c FROM audit_case ac JOIN audit au ON au.id = ac.audit_id WHERE ac.id = cid;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF c.locked_at IS NOT NULL THEN
    PERFORM audit_tui_refuse('the audit is locked: nothing in it can change');
  END IF;
  IF c.signed_off_at IS NOT NULL THEN
    PERFORM audit_tui_refuse(format('case %s was signed off: its answers can no longer change',
                                    c.case_ref));
  END IF;
  r := audit_tui_role(c.audit_id);
  IF r = 'lead' THEN
    RETURN;
  END IF;
  IF r IS NULL OR r = 'viewer' OR c.allocated_to IS DISTINCT FROM session_user THEN
    PERFORM audit_tui_refuse(format('%s may not change the answers of case %s',
                                    session_user, c.case_ref));
  END IF;
END $$;
