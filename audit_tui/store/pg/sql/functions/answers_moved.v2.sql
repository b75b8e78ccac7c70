-- What the server writes when answers move (one call per statement, however many rows, each
-- array holding one value per answer): the history (old values as the server read them, the
-- login, the time, how and why), each case's count of answered items, and the audit's kept
-- counts per item and value over its live cases.
-- Version 2: three statements in this order, the audit's kept counts last: a count's row, which
-- every writer to the audit shares, is then held only from here to the commit, not while an
-- import's history is written (version 1's one statement took the counts first: its history and
-- case counts, as statements in WITH that the result does not read, ran after it). And the
-- counts are taken in one order (audit, item, value), so two saves to different cases of one
-- audit, which may now run at once (`begin_answer`), never wait for each other in a circle.
-- In PL/pgSQL, which keeps each statement's plan for the session (a SQL function's three would
-- be planned again at every save: measured, a save took 1.5 ms more).
CREATE OR REPLACE FUNCTION audit_tui.answers_moved(
  cases integer[], items text[], olds text[], news text[], old_notes text[], new_notes text[],
  tags text[])
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
BEGIN
  INSERT INTO audit_tui.answer_history
    (case_id, item_id, old_value, new_value, old_note, new_note, note_tag, changed_at,
     changed_by, via, reason)
  SELECT m.case_id, m.item_id, m.old_value, m.new_value, m.old_note, m.new_note, m.note_tag,
         pg_catalog.statement_timestamp(), session_user::text, audit_tui.change_via(),
         audit_tui.context('reason')
  FROM unnest(cases, items, olds, news, old_notes, new_notes, tags)
    AS m(case_id, item_id, old_value, new_value, old_note, new_note, note_tag);

  UPDATE audit_tui.audit_case c SET answered = c.answered + d.step
  FROM (SELECT m.case_id,
               pg_catalog.sum((m.new_value IS NOT NULL)::integer
                              - (m.old_value IS NOT NULL)::integer)::integer AS step
        FROM unnest(cases, olds, news) AS m(case_id, old_value, new_value)
        GROUP BY m.case_id) d
  WHERE c.id = d.case_id AND d.step <> 0;

  INSERT INTO audit_tui.item_tally AS k (audit_id, item_id, value, n)
  SELECT c.audit_id, v.item_id, v.value, pg_catalog.sum(v.step)
  FROM (SELECT m.case_id, m.item_id, m.new_value AS value, 1 AS step
        FROM unnest(cases, items, news) AS m(case_id, item_id, new_value)
        WHERE m.new_value IS NOT NULL
        UNION ALL
        SELECT m.case_id, m.item_id, m.old_value, -1
        FROM unnest(cases, items, olds) AS m(case_id, item_id, old_value)
        WHERE m.old_value IS NOT NULL) v
  JOIN audit_tui.audit_case c ON c.id = v.case_id
  WHERE c.removed_at IS NULL
  GROUP BY c.audit_id, v.item_id, v.value
  HAVING pg_catalog.sum(v.step) <> 0
  ORDER BY c.audit_id, v.item_id, v.value
  ON CONFLICT (audit_id, item_id, value) DO UPDATE SET n = k.n + excluded.n;
END
$$;
