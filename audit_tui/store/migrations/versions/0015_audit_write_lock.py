"""No login but the server's functions can hold an audit's write lock (PostgreSQL).

0014 made the audit's write lock an advisory lock: exclusive for an audit-wide write, shared by
saves. Any login may take any advisory lock, so a colleague in no audit, with `psql`, could hold
every audit's (`SELECT pg_advisory_lock(1635083361, id) FROM generate_series(1, 1000) id`) and
stop every save and every lock on the server for as long as their session lasted.

The lock is now two rows per audit in `audit_write_lock`, made with the audit
(`audit_created`, version 2): `begin_write` (version 4) takes 'gate' then 'write' FOR UPDATE,
`begin_answer` (version 3) passes 'gate' (takes it and lets it go) and holds 'write' FOR KEY
SHARE. A shared row lock does not queue behind a FOR UPDATE that waits, as the advisory lock
did, so saves that kept overlapping could hold off a lock or a sign-off for ever; the gate,
held by the waiting write, makes a save begun meanwhile wait behind it. A row lock needs UPDATE
privilege on the table, which no login holds, and row security with no policy lets no login
read a row: only the functions, run as the owner, touch them. They are not the audit's own row,
on which a save counts its revision: a write queued there deadlocked with the save (0014's
reason).

Nor may a login lock a table a write needs: with DELETE on a table (audit, audit_member and
caseload_case had it, for the lead), `LOCK TABLE` in any mode is allowed whatever row security
says, and `LOCK TABLE audit_tui.audit IN EXCLUSIVE MODE`, held, stopped every write on the
server. Logins now hold DELETE on no table; the lead deletes an audit, removes a member and
clears a caseload through `remove_audit`, `remove_member` and `clear_caseload`, which allow what
the DELETE policies allowed. SQLite has one writer at a time: nothing changes there.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 14:10:00
"""

import sqlalchemy as sa
from alembic import op

from audit_tui.store import pg, roles

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

LOCKS = f"{pg.SCHEMA}.audit_write_lock"
DELETE_POLICIES = (
    ("audit_remove", "audit", "id IN (SELECT audit_tui.my_audits('{lead}', true))"),
    ("audit_member_remove", "audit_member",
     "audit_id IN (SELECT audit_tui.my_audits('{lead}', false))"),
    ("caseload_case_replace", "caseload_case",
     "audit_id IN (SELECT audit_tui.my_audits('{lead}', true))"
     " AND audit_id NOT IN (SELECT d.audit_id FROM audit_tui.sample_draw d)"),
)  # fmt: skip
"""The DELETE policies 0011 made (name, table, USING), which the functions replace: no login
deletes, so they would decide nothing; the downgrade makes them again as they were."""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "audit_write_lock",
        sa.Column(
            "audit_id",
            sa.Integer(),
            sa.ForeignKey(
                "audit.id", ondelete="CASCADE", name="fk_audit_write_lock_audit_id_audit"
            ),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("lock", sa.String(), primary_key=True),
        sa.CheckConstraint("lock IN ('gate', 'write')", name="ck_audit_write_lock_lock"),
    )
    op.execute(f"REVOKE ALL ON {LOCKS} FROM PUBLIC")
    pg.install(op, "tables", pg.TABLES_0015, 1)
    op.execute(
        f"INSERT INTO {LOCKS} (audit_id, lock) SELECT a.id, l.lock FROM {pg.SCHEMA}.audit a"
        " CROSS JOIN (VALUES ('gate'), ('write')) AS l (lock)"
    )
    for name, version in pg.FUNCTIONS_0015:
        pg.install(op, "functions", (name,), version)
    pg.install(op, "functions", pg.FUNCTIONS_0015_NEW, 1)
    _logins_may_delete(False)
    for policy, table, _using in DELETE_POLICIES:
        op.execute(f"DROP POLICY {policy} ON {pg.SCHEMA}.{table}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for policy, table, using in DELETE_POLICIES:
        op.execute(f"CREATE POLICY {policy} ON {pg.SCHEMA}.{table} FOR DELETE USING ({using})")
    _logins_may_delete(True)
    for signature in pg.DELETED_BY_0015:
        op.execute(f"DROP FUNCTION {pg.SCHEMA}.{signature}")
    for name, version in pg.FUNCTIONS_0015:
        pg.install(op, "functions", (name,), version - 1)
    op.drop_table("audit_write_lock")


def _logins_may_delete(may: bool) -> None:
    """Every granted login's DELETE on the three tables (before 0015), or EXECUTE on the three
    functions that replace it (since)."""
    bind = op.get_bind()
    if not may:
        for signature in pg.DELETED_BY_0015:
            op.execute(f"REVOKE ALL ON FUNCTION {pg.SCHEMA}.{signature} FROM PUBLIC")
    tables = ", ".join(f"{pg.SCHEMA}.{t}" for t in roles.DELETED_BY_FUNCTIONS)
    for login in roles.granted_logins(bind):
        quoted = bind.dialect.identifier_preparer.quote(login)
        if may:
            op.execute(f"GRANT DELETE ON {tables} TO {quoted}")
        else:
            op.execute(f"REVOKE DELETE ON {tables} FROM {quoted}")
            for signature in pg.DELETED_BY_0015:
                op.execute(f"GRANT EXECUTE ON FUNCTION {pg.SCHEMA}.{signature} TO {quoted}")
