-- Whoever may settle the disagreements of this moderated case, or refuse: the lead or either
-- of its markers, once its second marking is complete and until the case is signed off.
CREATE OR REPLACE FUNCTION audit_tui_need_settler(mid integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  m record;
  r text;
BEGIN
  SELECT mr.audit_id, mr.marker, mc.first_marker, mc.completed_at, ac.case_ref,
         ac.signed_off_at, au.locked_at
    INTO m FROM moderation_case mc JOIN moderation_round mr ON mr.id = mc.round_id
    JOIN audit_case ac ON ac.id = mc.case_id JOIN audit au ON au.id = mr.audit_id
    WHERE mc.id = mid;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF m.locked_at IS NOT NULL THEN
    PERFORM audit_tui_refuse('the audit is locked: nothing in it can change');
  END IF;
  IF m.signed_off_at IS NOT NULL THEN
    PERFORM audit_tui_refuse(format('case %s was signed off: its answers can no longer change',
                                    m.case_ref));
  END IF;
  IF m.completed_at IS NULL THEN
    PERFORM audit_tui_refuse(format('case %s is still being second-marked: it is settled once'
                                    ' %s marks it complete', m.case_ref, m.marker));
  END IF;
  r := audit_tui_role(m.audit_id);
  IF r = 'lead' THEN
    RETURN;
  END IF;
  IF r IS NULL OR session_user NOT IN (m.marker, m.first_marker) THEN
    PERFORM audit_tui_refuse(format('%s may not settle case %s: its lead or its markers do',
                                    session_user, m.case_ref));
  END IF;
END $$;
