-- Work an audit's kept counts out again from its answers (what `verify --repair` does), logged:
-- the lead's, or an administrator's. Returns how many counts were wrong. Version 2: it takes the
-- audit's write lock (0015), where version 1 took the audit's row, which saves have not waited
-- on since 0013: a repair beside a save could count before the save's answers and after its
-- counts, and write the stale figure back.
CREATE OR REPLACE FUNCTION audit_tui.recount(a integer, detail text)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  fixed integer := 0;
  n integer;
BEGIN
  IF audit_tui.my_role(a) IS DISTINCT FROM 'lead' AND NOT audit_tui.is_admin() THEN
    PERFORM audit_tui.refuse('only the audit''s lead (or the database''s owner) repairs its counts');
  END IF;
  -- the audit's write lock, as `begin_write` takes it: the saves in flight end first, and
  -- none begins until the counts are done
  PERFORM 1 FROM audit_tui.audit_write_lock l WHERE l.audit_id = a AND l.lock = 'gate' FOR UPDATE;
  PERFORM 1 FROM audit_tui.audit_write_lock l WHERE l.audit_id = a AND l.lock = 'write' FOR UPDATE;
  UPDATE audit_tui.audit_case c SET answered = t.n
  FROM (SELECT c2.id, (SELECT pg_catalog.count(*) FROM audit_tui.answer x
                       WHERE x.case_id = c2.id AND x.value IS NOT NULL)::integer AS n
        FROM audit_tui.audit_case c2 WHERE c2.audit_id = a) t
  WHERE c.id = t.id AND c.answered IS DISTINCT FROM t.n;
  GET DIAGNOSTICS n = ROW_COUNT;
  fixed := fixed + n;
  SELECT pg_catalog.count(*) INTO n
  FROM (SELECT x.item_id, x.value, pg_catalog.count(*)::integer AS n
        FROM audit_tui.answer x JOIN audit_tui.audit_case c ON c.id = x.case_id
        WHERE c.audit_id = a AND c.removed_at IS NULL AND x.value IS NOT NULL
        GROUP BY x.item_id, x.value) t
  FULL JOIN (SELECT k.item_id, k.value, k.n FROM audit_tui.item_tally k
             WHERE k.audit_id = a AND k.n <> 0) k
    ON k.item_id = t.item_id AND k.value = t.value
  WHERE coalesce(t.n, 0) IS DISTINCT FROM coalesce(k.n, 0);
  IF n > 0 THEN
    DELETE FROM audit_tui.item_tally k WHERE k.audit_id = a;
    INSERT INTO audit_tui.item_tally (audit_id, item_id, value, n)
    SELECT a, x.item_id, x.value, pg_catalog.count(*)
    FROM audit_tui.answer x JOIN audit_tui.audit_case c ON c.id = x.case_id
    WHERE c.audit_id = a AND c.removed_at IS NULL AND x.value IS NOT NULL
    GROUP BY x.item_id, x.value;
  END IF;
  fixed := fixed + n;
  PERFORM audit_tui.write_event(a, 'repair', detail);
  RETURN fixed;
END
$$;
