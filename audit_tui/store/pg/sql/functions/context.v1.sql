-- What the client says about the change it is making (`via`, `reason`, `note`), set for the
-- transaction with set_config('audit_tui.KEY', value, true): descriptive only, never who or when.
CREATE OR REPLACE FUNCTION audit_tui.context(key text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, audit_tui, pg_temp
AS $$
  SELECT nullif(pg_catalog.current_setting('audit_tui.' || key, true), '')
$$;
