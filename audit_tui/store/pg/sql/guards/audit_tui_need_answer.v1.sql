-- Whoever may change this case's answers (audit_tui_need_case); or a settler making `item` of
-- it `val`, the agreed answer of the settlement they recorded in this same transaction (settle()
-- records it first; the settlement guard stamps settled_at with now(), the transaction's start);
-- with item NULL, any settlement of the case of theirs in this transaction (the count of its
-- answers moves with a settled answer). Either way, not in a locked audit or a signed-off case.
CREATE OR REPLACE FUNCTION audit_tui_need_answer(cid integer, item text, val text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  c record;
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM settlement s JOIN moderation_case mc ON mc.id = s.moderation_case_id
    WHERE mc.case_id = cid AND s.settled_by = session_user AND s.settled_at = now()
      AND (item IS NULL OR (s.item_id = item AND s.agreed_value IS NOT DISTINCT FROM val))
  ) THEN
    PERFORM audit_tui_need_case(cid);
    RETURN;
  END IF;
  SELECT ac.case_ref, ac.signed_off_at, au.locked_at
    INTO c FROM audit_case ac JOIN audit au ON au.id = ac.audit_id WHERE ac.id = cid;
  IF c.locked_at IS NOT NULL THEN
    PERFORM audit_tui_refuse('the audit is locked: nothing in it can change');
  END IF;
  IF c.signed_off_at IS NOT NULL THEN
    PERFORM audit_tui_refuse(format('case %s was signed off: its answers can no longer change',
                                    c.case_ref));
  END IF;
END $$;
