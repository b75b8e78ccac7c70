-- The first statement of every write to an audit but a save of some cases' answers: takes the
-- audit's write lock and counts one more revision, then says who is writing. Version 4: the
-- lock is the audit's rows of `audit_write_lock`, 'gate' then 'write', taken FOR UPDATE, where
-- version 3 took an advisory lock any login could take too (and hold, stopping every write to
-- the audit). Saves hold 'write' FOR KEY SHARE (`begin_answer` version 3), after passing the
-- gate, so an audit-wide write still waits for the saves in flight and holds off new ones until
-- it commits. The lock rows are not the audit's own row: a save counts its revision on that one
-- at its end, and a write queued on the audit's row once deadlocked with it (version 2).
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
  -- the gate first, held to the end: saves begun from now on wait behind this write
  PERFORM 1 FROM audit_tui.audit_write_lock l WHERE l.audit_id = a AND l.lock = 'gate' FOR UPDATE;
  PERFORM 1 FROM audit_tui.audit_write_lock l WHERE l.audit_id = a AND l.lock = 'write' FOR UPDATE;
  IF NOT FOUND THEN  -- the audit went meanwhile: nothing is written unlocked
    RETURN;
  END IF;
  RETURN QUERY UPDATE audit_tui.audit au SET revision = au.revision + 1 WHERE au.id = a
               RETURNING au.revision, au.name::text, au.locked_by::text, au.locked_at, r, members;
END
$$;
