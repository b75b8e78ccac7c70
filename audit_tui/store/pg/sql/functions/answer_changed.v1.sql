-- After answers are inserted or updated (one statement, however many rows): the history the
-- server writes (old values as the server read them, the login, the time, how and why), each
-- case's count of answered items, and the audit's kept counts per item and value over its live
-- cases. Fired once per statement with its transition tables, so an import of 130,000 answers
-- costs one set-based statement, not 130,000 triggers.
CREATE OR REPLACE FUNCTION audit_tui.answer_changed()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
DECLARE
  moves text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    moves := 'SELECT n.case_id, n.item_id, NULL::text AS old_value, n.value AS new_value,
                     CASE WHEN n.note <> '''' THEN '''' END AS old_note,
                     NULLIF(n.note, '''') AS new_note, n.note_tag
              FROM new_rows n';
  ELSE
    moves := 'SELECT n.case_id, n.item_id, o.value AS old_value, n.value AS new_value,
                     CASE WHEN o.note IS DISTINCT FROM n.note THEN o.note END AS old_note,
                     CASE WHEN o.note IS DISTINCT FROM n.note THEN n.note END AS new_note,
                     n.note_tag
              FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE (o.value, o.note, o.note_tag) IS DISTINCT FROM (n.value, n.note, n.note_tag)';
  END IF;
  EXECUTE pg_catalog.format($sql$
    WITH moves AS MATERIALIZED (%s),
    history AS (
      INSERT INTO audit_tui.answer_history
        (case_id, item_id, old_value, new_value, old_note, new_note, note_tag, changed_at,
         changed_by, via, reason)
      SELECT m.case_id, m.item_id, m.old_value, m.new_value, m.old_note, m.new_note, m.note_tag,
             pg_catalog.statement_timestamp(), session_user::text, $1, $2
      FROM moves m
    ),
    answered AS (
      UPDATE audit_tui.audit_case c SET answered = c.answered + d.step
      FROM (SELECT m.case_id,
                   pg_catalog.sum((m.new_value IS NOT NULL)::integer
                                  - (m.old_value IS NOT NULL)::integer)::integer AS step
            FROM moves m GROUP BY m.case_id) d
      WHERE c.id = d.case_id AND d.step <> 0
    )
    INSERT INTO audit_tui.item_tally AS k (audit_id, item_id, value, n)
    SELECT c.audit_id, v.item_id, v.value, pg_catalog.sum(v.step)
    FROM (SELECT m.case_id, m.item_id, m.new_value AS value, 1 AS step
          FROM moves m WHERE m.new_value IS NOT NULL
          UNION ALL
          SELECT m.case_id, m.item_id, m.old_value, -1
          FROM moves m WHERE m.old_value IS NOT NULL) v
    JOIN audit_tui.audit_case c ON c.id = v.case_id
    WHERE c.removed_at IS NULL
    GROUP BY c.audit_id, v.item_id, v.value
    HAVING pg_catalog.sum(v.step) <> 0
    ON CONFLICT (audit_id, item_id, value) DO UPDATE SET n = k.n + excluded.n
  $sql$, moves) USING audit_tui.change_via(), audit_tui.context('reason');
  RETURN NULL;
END
$$;
