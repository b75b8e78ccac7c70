-- The first statement of every write to an audit but a save of some cases' answers: takes the
-- audit's write lock and counts one more revision, then says who is writing. Version 3: the
-- lock is the audit's advisory lock (1635083361 (the letters 'auda') and the audit's id), taken
-- exclusively, where version 2 took the audit's row FOR UPDATE. Saves hold the same lock shared
-- (`begin_answer` version 2), so an audit-wide write still waits for the saves in flight and
-- holds off new ones until it commits. A row lock could not do this without deadlock: a write
-- waiting FOR UPDATE holds the row's tuple lock, and a save already sharing the row, counting
-- its revision at the end, then waited for that writer while the writer waited for it.
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
  PERFORM pg_catalog.pg_advisory_xact_lock(1635083361, a);
  RETURN QUERY UPDATE audit_tui.audit au SET revision = au.revision + 1 WHERE au.id = a
               RETURNING au.revision, au.name::text, au.locked_by::text, au.locked_at, r, members;
END
$$;
