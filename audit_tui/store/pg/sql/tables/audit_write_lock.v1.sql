-- One row per audit, the audit's write lock (0015): `begin_write` takes it FOR UPDATE, a save's
-- `begin_answer` FOR KEY SHARE. No login may lock, read or change a row: a row lock needs UPDATE
-- privilege, which no login holds here, and row security with no policy reads nothing. Only the
-- server's functions touch it: they run as the owner, whom row security lets by. The advisory
-- lock 0014 took was anyone's to take: a login in no audit could hold every audit's, and stop
-- every save on the server.
ALTER TABLE audit_tui.audit_write_lock ENABLE ROW LEVEL SECURITY;
