-- How a change was made, as the history says it: the client's `via` (tui, import, undo,
-- case-edit, demo; `sql` when it gave none). `moderation` is the server's own word for an
-- answer a settlement changed, and no client can claim it.
CREATE OR REPLACE FUNCTION audit_tui.change_via()
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  how text := coalesce(audit_tui.context('via'), 'sql');
BEGIN
  IF how = 'moderation' AND pg_catalog.pg_trigger_depth() < 2 THEN
    PERFORM audit_tui.refuse('only a settlement changes an answer "via moderation"');
  END IF;
  RETURN how;
END
$$;
