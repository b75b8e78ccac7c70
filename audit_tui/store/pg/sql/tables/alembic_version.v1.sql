-- The schema's version: read by every login (the app checks it is up to date); changed only by
-- the owner's migrations.
ALTER TABLE audit_tui.alembic_version ENABLE ROW LEVEL SECURITY;
CREATE POLICY alembic_version_read ON audit_tui.alembic_version FOR SELECT USING (true);
