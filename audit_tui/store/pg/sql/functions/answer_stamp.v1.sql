-- Who gave an answer and when are the server's: the login and the statement's time, whatever
-- the client sent. Its own function, not `stamp`, and without a pinned search_path (every name
-- in it is qualified, and a pinned path costs a settings save and restore per call): a
-- 10,000-case import passes through here 130,000 times.
CREATE OR REPLACE FUNCTION audit_tui.answer_stamp()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.updated_by := session_user::pg_catalog.text;
  NEW.updated_at := pg_catalog.statement_timestamp();
  RETURN NEW;
END
$$;
