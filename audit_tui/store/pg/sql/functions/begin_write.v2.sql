-- The first statement of every write to an audit but a save of one case's answers: takes the
-- audit's write lock (its row, so writers to one audit take turns) and counts one more
-- revision, then says who is writing. Version 2: the row is taken FOR UPDATE, which waits for
-- the saves in flight (`begin_answer` holds it in KEY SHARE) and holds off new ones until this
-- write commits; the revision's own update would not (it is no key update).
-- A member of no audit learns nothing (no row); a viewer is told their role without taking the
-- lock (they may change nothing); an administrator acts as lead of an audit with no members.
CREATE OR REPLACE FUNCTION audit_tui.begin_write(a integer)
RETURNS TABLE (revision integer, name text, locked_by text, locked_at timestamptz, role text,
               any_member boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  r text := (SELECT m.role FROM audit_tui.audit_member m
             WHERE m.audit_id = a AND m.user_name = session_user::text);
  members boolean := audit_tui.has_members(a);
BEGIN
  IF r IS NULL AND (members OR NOT audit_tui.is_admin()) THEN
    RETURN;
  END IF;
  IF r = 'viewer' THEN
    RETURN QUERY SELECT au.revision, au.name::text, au.locked_by::text, au.locked_at, r, true
                 FROM audit_tui.audit au WHERE au.id = a;
    RETURN;
  END IF;
  PERFORM 1 FROM audit_tui.audit au WHERE au.id = a FOR UPDATE;
  RETURN QUERY UPDATE audit_tui.audit au SET revision = au.revision + 1 WHERE au.id = a
               RETURNING au.revision, au.name::text, au.locked_by::text, au.locked_at, r, members;
END
$$;
