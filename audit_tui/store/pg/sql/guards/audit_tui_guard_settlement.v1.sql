CREATE OR REPLACE FUNCTION audit_tui_guard_settlement() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  a integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT mr.audit_id INTO a FROM moderation_case mc
      JOIN moderation_round mr ON mr.id = mc.round_id WHERE mc.id = OLD.moderation_case_id;
    IF FOUND THEN
      PERFORM audit_tui_need_lead(a, 'delete settlements', false);
    END IF;
    RETURN OLD;
  END IF;
  PERFORM audit_tui_need_settler(NEW.moderation_case_id);
  IF TG_OP = 'UPDATE' AND (NEW.moderation_case_id, NEW.item_id)
                          IS DISTINCT FROM (OLD.moderation_case_id, OLD.item_id) THEN
    PERFORM audit_tui_refuse('a settlement cannot move to another case or item');
  END IF;
  NEW.settled_by := session_user;
  NEW.settled_at := now();  -- so the answer guards know a settlement of this transaction
  RETURN NEW;
END $$;
