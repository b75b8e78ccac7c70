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
reason). SQLite has one writer at a time: nothing changes there.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 14:10:00
"""

import sqlalchemy as sa
from alembic import op

from audit_tui.store import pg

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

LOCKS = f"{pg.SCHEMA}.audit_write_lock"


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


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, version in pg.FUNCTIONS_0015:
        pg.install(op, "functions", (name,), version - 1)
    op.drop_table("audit_write_lock")
