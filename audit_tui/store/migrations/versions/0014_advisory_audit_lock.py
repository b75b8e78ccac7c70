"""An audit-wide write and the saves beside it never deadlock (PostgreSQL).

0013 let saves to different cases of one audit go on together: each held the audit's row in KEY
SHARE, and an audit-wide write (a lock, a sign-off, a second mark) took the row FOR UPDATE to
wait for them. Measured under a crowd of first and second markers, that deadlocked: the write,
queued FOR UPDATE, holds the row's tuple lock; a save already sharing the row then counts its
revision (an update of the same row) and waits for the queued write, which waits for the save.

The audit's write lock is now an advisory lock on the audit's id: `begin_write` (version 3)
takes it exclusively, `begin_answer` (version 2) shares it to the end of the save. A save waits
for nothing it does not hold but its cases (in order of id) and, while another commits, the
revision's row; an audit-wide write waits for the saves in flight and holds off new ones, as
before. SQLite has one writer at a time: nothing changes there.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 09:20:00
"""

from alembic import op

from audit_tui.store import pg

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, version in pg.FUNCTIONS_0014:
        pg.install(op, "functions", (name,), version)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, version in pg.FUNCTIONS_0014:
        pg.install(op, "functions", (name,), version - 1)
