"""Auditors of one audit do not wait for each other (PostgreSQL).

A write to some cases' answers alone (a save, an import) begins with `begin_answer` (new): it
locks the cases' rows and holds the audit's row in KEY SHARE, instead of the audit's write lock. `begin_write` (version 2) takes
the audit's row FOR UPDATE, so an audit-wide write and the saves in flight still wait for each
other. `answer_changed` (version 2) counts the revision where answers are written, at the end of
a save, and refuses a save into an audit locked since it began; `answers_moved` (version 2) takes
the kept counts last and in one order, so concurrent saves never deadlock on them and an import
holds them only while it commits.

And `answer` loses its foreign key to `audit` (PostgreSQL only): checked for each answer written,
it read the audit's row, which the saves beside an import now change; a 5,000-case import under
one steady saver walked every version they left and ran for minutes, not seconds. What it kept
still holds: an answer's case must exist (its own key) and be of the answer's audit (the row
policies, for every login), its audit may never change (`keep_keys`), and an audit deleted takes
its cases and their answers with it (their keys cascade).

SQLite has one writer at a time: nothing changes there.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 06:00:00
"""

from alembic import op

from audit_tui.store import pg, roles

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BEGIN_ANSWER = f"{pg.SCHEMA}.begin_answer(integer, integer[])"
ANSWER_AUDIT_KEY = "fk_answer_audit_id_audit"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE {pg.SCHEMA}.answer DROP CONSTRAINT {ANSWER_AUDIT_KEY}")
    pg.install(op, "functions", pg.FUNCTIONS_0013_NEW, 1)
    pg.install(op, "functions", pg.FUNCTIONS_0013, 2)
    op.execute(f"REVOKE ALL ON FUNCTION {BEGIN_ANSWER} FROM PUBLIC")
    for login in roles.granted_logins(bind):  # as `grant` gives a new login
        quoted = bind.dialect.identifier_preparer.quote(login)
        op.execute(f"GRANT EXECUTE ON FUNCTION {BEGIN_ANSWER} TO {quoted}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    pg.install(op, "functions", pg.FUNCTIONS_0013, 1)
    op.execute(f"DROP FUNCTION {BEGIN_ANSWER}")
    op.execute(
        f"ALTER TABLE {pg.SCHEMA}.answer ADD CONSTRAINT {ANSWER_AUDIT_KEY} FOREIGN KEY (audit_id)"
        f" REFERENCES {pg.SCHEMA}.audit(id) ON DELETE CASCADE"
    )
