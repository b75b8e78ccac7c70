CREATE OR REPLACE FUNCTION audit_tui_need_reviewer(cid integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  c record;
  r text;
BEGIN
  SELECT audit_id, case_ref, allocated_to INTO c FROM audit_case WHERE id = cid;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  r := audit_tui_role(c.audit_id);
  IF r = 'lead' OR (r = 'auditor' AND c.allocated_to = session_user) THEN
    RETURN;
  END IF;
  PERFORM audit_tui_refuse(format('%s may not change the feedback or actions of case %s',
                                  session_user, c.case_ref));
END $$;
