-- The first statement of a write to some cases' answers alone (store/answers.py: a save, an
-- import): the cases' write locks, not the audit's, so auditors on their own cases of one audit
-- do not wait for each other, nor for an import into other cases. Version 3: it passes the
-- audit's 'gate' row of `audit_write_lock` and holds its 'write' row FOR KEY SHARE for the rest
-- of the transaction, where version 2 shared an advisory lock any login could take too; an
-- audit-wide write (`begin_write` version 4 holds both FOR UPDATE: a lock, a sign-off, a
-- removal) waits for the writes in flight, a save begun while it waits waits for it at the
-- gate, and no write waits on the audit's own row while holding what another needs (version 1
-- could deadlock with a writer queued FOR UPDATE on it). The
-- cases' rows are taken FOR UPDATE, in order of id (two writers never wait for each other in a
-- circle), so writes to one case take turns and its history chains. The revision is counted
-- when the answers are written (`answer_changed`, version 2), at the end of the write. Says who
-- is writing as `begin_write` does: no row for someone outside the audit, and a viewer takes no
-- lock.
CREATE OR REPLACE FUNCTION audit_tui.begin_answer(a integer, cs integer[])
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
  BEGIN  -- through the gate: wait while an audit-wide write holds it, then let it go at once
    PERFORM 1 FROM audit_tui.audit_write_lock l
    WHERE l.audit_id = a AND l.lock = 'gate' FOR KEY SHARE;
    RAISE EXCEPTION USING ERRCODE = 'AT000';  -- undoing the block lets go of the gate
  EXCEPTION WHEN SQLSTATE 'AT000' THEN
    NULL;
  END;
  PERFORM 1 FROM audit_tui.audit_write_lock l
  WHERE l.audit_id = a AND l.lock = 'write' FOR KEY SHARE;
  IF NOT FOUND THEN  -- the audit went meanwhile: nothing is written unlocked
    RETURN;
  END IF;
  RETURN QUERY SELECT au.revision, au.name::text, au.locked_by::text, au.locked_at, r, members
               FROM audit_tui.audit au WHERE au.id = a;
  PERFORM 1 FROM audit_tui.audit_case ac WHERE ac.audit_id = a AND ac.id = ANY (cs)
  ORDER BY ac.id FOR UPDATE;
END
$$;
