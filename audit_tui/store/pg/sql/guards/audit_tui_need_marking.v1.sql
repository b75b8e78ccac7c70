-- Whoever may change the second marks of this moderated case, or refuse: its round's marker
-- (or the lead, who enters a marker's sheet), until the case is marked complete.
CREATE OR REPLACE FUNCTION audit_tui_need_marking(mid integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  m record;
  r text;
BEGIN
  SELECT mr.audit_id, mr.marker, mc.completed_at, ac.case_ref, au.locked_at
    INTO m FROM moderation_case mc JOIN moderation_round mr ON mr.id = mc.round_id
    JOIN audit_case ac ON ac.id = mc.case_id JOIN audit au ON au.id = mr.audit_id
    WHERE mc.id = mid;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF m.locked_at IS NOT NULL THEN
    PERFORM audit_tui_refuse('the audit is locked: nothing in it can change');
  END IF;
  IF m.completed_at IS NOT NULL THEN
    PERFORM audit_tui_refuse(format('the second marking of case %s was completed: its marks'
                                    ' can no longer change', m.case_ref));
  END IF;
  r := audit_tui_role(m.audit_id);
  IF r = 'lead' THEN
    RETURN;
  END IF;
  IF r IS NULL OR m.marker IS DISTINCT FROM session_user THEN
    PERFORM audit_tui_refuse(format('%s may not second-mark case %s (it is %s''s to mark)',
                                    session_user, m.case_ref, m.marker));
  END IF;
END $$;
