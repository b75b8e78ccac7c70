-- After answers are inserted or updated, once per statement with its transition tables (an
-- import of 130,000 answers is one call, not 130,000): each answer that moved goes to the
-- server's record of it (answers_moved). A new answer moves from nothing; a changed one from the
-- old row the server read, and only if its value, note or tag differ.
-- Version 2: then counts the change in each audit's revision, unless this transaction counted
-- it already (`begin_write` does, first; a save begun by `begin_answer` leaves it to here, the
-- end of the save, so its lock on the audit's row lasts only while it commits). An audit
-- locked since the save began refuses it: its figures were published.
CREATE OR REPLACE FUNCTION audit_tui.answer_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  locked integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM audit_tui.answers_moved(
      pg_catalog.array_agg(n.case_id), pg_catalog.array_agg(n.item_id),
      pg_catalog.array_agg(NULL::text), pg_catalog.array_agg(n.value),
      pg_catalog.array_agg(CASE WHEN n.note <> '' THEN '' END),
      pg_catalog.array_agg(NULLIF(n.note, '')), pg_catalog.array_agg(n.note_tag))
    FROM new_rows n
    HAVING pg_catalog.count(*) > 0;
  ELSE
    PERFORM audit_tui.answers_moved(
      pg_catalog.array_agg(n.case_id), pg_catalog.array_agg(n.item_id),
      pg_catalog.array_agg(o.value), pg_catalog.array_agg(n.value),
      pg_catalog.array_agg(CASE WHEN o.note IS DISTINCT FROM n.note THEN o.note END),
      pg_catalog.array_agg(CASE WHEN o.note IS DISTINCT FROM n.note THEN n.note END),
      pg_catalog.array_agg(n.note_tag))
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.value, o.note, o.note_tag) IS DISTINCT FROM (n.value, n.note, n.note_tag)
    HAVING pg_catalog.count(*) > 0;
  END IF;
  WITH counted AS (
    UPDATE audit_tui.audit au SET revision = au.revision + 1
    WHERE au.id IN (SELECT n.audit_id FROM new_rows n)
      AND NOT au.xmin = pg_catalog.pg_current_xact_id()::xid
    RETURNING au.locked_at)
  SELECT pg_catalog.count(*) INTO locked FROM counted WHERE counted.locked_at IS NOT NULL;
  IF locked > 0 THEN
    PERFORM audit_tui.refuse('the audit is locked: nothing in it can change');
  END IF;
  RETURN NULL;
END
$$;
