-- The audits the login is a member of, in one of `roles`, only the unlocked ones when asked:
-- what most policies test a row's audit against, as `audit_id IN (SELECT audit_tui.my_audits(...))`:
-- a set the planner computes once per statement and hashes, rather than a lookup per row.
-- Version 2: a scope (region lead, PDU viewer: `scope_grant`) makes the login a viewer of every
-- audit of its region or PDU, so it counts wherever a viewer does (reads) and nowhere else.
CREATE OR REPLACE FUNCTION audit_tui.my_audits(roles text[], unlocked_only boolean)
RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER ROWS 10
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  SELECT m.audit_id
  FROM audit_tui.audit_member m
  JOIN audit_tui.audit a ON a.id = m.audit_id
  WHERE m.user_name = session_user::text
    AND m.role = ANY (roles)
    AND (NOT unlocked_only OR a.locked_at IS NULL)
  UNION
  SELECT a.id
  FROM audit_tui.scope_grant s
  JOIN audit_tui.audit a
    ON (s.kind = 'region' AND a.region = s.name) OR (s.kind = 'pdu' AND a.pdu = s.name)
  WHERE s.user_name = session_user::text
    AND 'viewer' = ANY (roles)
    AND (NOT unlocked_only OR a.locked_at IS NULL)
$$;
